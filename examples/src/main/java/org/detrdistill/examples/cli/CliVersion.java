package org.detrdistill.examples.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code --version}: the framework version and the DL4J version it was built against (from
 * {@code cli-version.properties}, filled in by the Maven build), and the Java runtime. Does not load ND4J.
 */
public final class CliVersion implements IVersionProvider {
    private static final String RESOURCE = "cli-version.properties";

    /** Lines such as {@code detr-distill 0.1.0-SNAPSHOT (Deeplearning4j 1.0.0-M2.1)} and the Java runtime. */
    @Override
    public String[] getVersion() {
        Properties p = properties();
        return new String[] {
                "detr-distill " + p.getProperty("version", "unknown")
                        + " (Deeplearning4j " + p.getProperty("dl4j", "unknown") + ")",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"};
    }

    /** The framework version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} outside a Maven build. */
    public static String version() {
        return properties().getProperty("version", "unknown");
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = CliVersion.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return p;
    }
}
