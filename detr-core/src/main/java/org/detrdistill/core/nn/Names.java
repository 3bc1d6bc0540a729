package org.detrdistill.core.nn;

import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Explicit variable names inside SameDiff name scopes. In DL4J 1.0.0-M2.1 a name scope
 * ({@code sd.withNameScope("g")}) prefixes the names of op outputs ({@code sd.identity("y", x)} → {@code g/y}) but not
 * those given to {@code sd.constant(name, ..)}, {@code SDVariable.rename(name)} or
 * {@code sd.updateVariableNameAndReference(x, name)}; building the same sub-graph twice (e.g. a decoder pass on a second
 * query group) then fails with "Variable with name ... already exists". Code that names constants or renames outputs
 * passes the name through {@link #scoped} first, so it gets the same prefix as the op outputs around it. Outside any
 * scope the name is unchanged.
 */
public final class Names {
    private Names() {}

    /**
     * {@code name} prefixed with the current name scope of {@code sd} ({@code <scope>/<name>}), unless there is no scope
     * or the name already carries it (the rule DL4J applies to op outputs).
     */
    public static String scoped(SameDiff sd, String name) {
        String scope = sd.currentNameScope();
        if (scope == null || name.startsWith(scope + "/")) return name;
        return scope + "/" + name;
    }
}
