package org.detrdistill.core.train;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * One parameter-group rule: parameters whose name contains a match of {@code pattern} get {@code lrMultiplier} times
 * the scheduled learning rate, and weight decay on or off.
 *
 * <p>Matching is {@link java.util.regex.Matcher#find()} (a substring search), so {@link #keywords} reproduces the
 * references' {@code match_name_keywords(name, keywords)} ({@code any(k in name for k in keywords)}).
 *
 * @param name         a label for logs and error messages, e.g. {@code "backbone"}
 * @param pattern      a Java regular expression searched in the parameter name
 * @param lrMultiplier factor on the scheduled learning rate (>= 0; with 0 the parameter never moves, since AdamW's
 *                     decay {@code lr * wd} vanishes too, but it still gets optimizer state: freeze it instead)
 * @param weightDecay  whether the decoupled weight decay applies
 */
public record ParamRule(String name, String pattern, double lrMultiplier, boolean weightDecay) {

    public ParamRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pattern, "pattern");
        if (!(lrMultiplier >= 0 && lrMultiplier < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("rule '" + name + "': lrMultiplier must be finite and >= 0, got " + lrMultiplier);
        }
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("rule '" + name + "': invalid pattern '" + pattern + "': " + e.getDescription(), e);
        }
    }

    /**
     * A rule matching any name that contains one of {@code keywords} literally.
     *
     * @throws IllegalArgumentException if no keyword is given or one is empty
     */
    public static ParamRule keywords(String name, double lrMultiplier, boolean weightDecay, String... keywords) {
        if (keywords.length == 0) throw new IllegalArgumentException("rule '" + name + "': no keywords");
        for (String k : keywords) {
            if (k == null || k.isEmpty()) throw new IllegalArgumentException("rule '" + name + "': empty keyword in " + Arrays.toString(keywords));
        }
        String regex = Arrays.stream(keywords).map(Pattern::quote).collect(Collectors.joining("|"));
        return new ParamRule(name, regex, lrMultiplier, weightDecay);
    }

    /** A rule matching names in which the regular expression {@code regex} is found. */
    public static ParamRule regex(String name, String regex, double lrMultiplier, boolean weightDecay) {
        return new ParamRule(name, regex, lrMultiplier, weightDecay);
    }

    /** Whether this rule applies to parameter {@code paramName}. */
    public boolean matches(String paramName) {
        return Pattern.compile(pattern).matcher(paramName).find();
    }
}
