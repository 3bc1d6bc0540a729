package org.detrdistill.examples.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image size given on the command line as {@code WIDTHxHEIGHT} (e.g. {@code 128x96}; {@code X} and {@code *} are
 * accepted too). A single number {@code N} means {@code NxN}. Ranges are checked by the config that takes the size.
 *
 * @param width  pixels, {@code >= 1}
 * @param height pixels, {@code >= 1}
 */
public record ImageSize(int width, int height) {
    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,6})\\s*(?:[xX*]\\s*(\\d{1,6})\\s*)?");

    public ImageSize {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
    }

    /**
     * Parses {@code WxH} or {@code N}.
     *
     * @throws IllegalArgumentException quoting the text and the expected form
     */
    public static ImageSize parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an image size: expected WIDTHxHEIGHT, e.g. 128x96");
        }
        int w = Integer.parseInt(m.group(1));
        int h = m.group(2) == null ? w : Integer.parseInt(m.group(2));
        return new ImageSize(w, h);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }

    /** picocli converter: {@link #parse(String)}; its message becomes the usage error. */
    public static final class Converter implements ITypeConverter<ImageSize> {
        @Override
        public ImageSize convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
