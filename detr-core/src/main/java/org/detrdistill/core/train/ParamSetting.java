package org.detrdistill.core.train;

/**
 * How the optimizer treats one parameter, as resolved by {@link ParamGroups#resolve(String)}.
 *
 * @param name         the parameter (graph variable) name
 * @param lrMultiplier factor on the scheduled learning rate
 * @param weightDecay  whether decoupled weight decay applies
 * @param frozen       frozen parameters get no gradient request, no update and no optimizer state
 * @param rule         name of the rule that matched, {@code "default"} if none, {@code "frozen"} if frozen
 */
public record ParamSetting(String name, double lrMultiplier, boolean weightDecay, boolean frozen, String rule) {}
