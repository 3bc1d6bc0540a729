package org.detrdistill.core.internal.dl4j;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.CustomOpDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Installs the op-class replacements of this package into ND4J's op registry.
 *
 * <p>SameDiff clones every op through its FlatBuffers form when it builds a gradient graph, {@code dup()}s, saves
 * or loads a graph; {@link DifferentialFunctionClassHolder#customOpClassForHashAndName} then picks the Java class from
 * the native op hash. This class points the {@code gather} hash at {@link FixedGather}, so the corrected gradient
 * survives the rebuild. The registry is private in nd4j-api 1.0.0-M2.1 and is changed by reflection.
 *
 * <p>{@link #install()} is idempotent and thread-safe; it holds no state of its own (it inspects the registry each
 * call). Graphs saved after installation still store the stock op name and hash, so they load without this
 * framework too (with the stock, wrong gradient).
 */
public final class Dl4jFixes {
    /** Native op name of the gather op. */
    static final String GATHER = "gather";

    private Dl4jFixes() {
    }

    /**
     * Makes SameDiff re-create {@code gather} ops as {@link FixedGather}.
     *
     * @return true when the fixed gather is active (installed now or earlier), false when the registry could not be
     *         changed (then callers must use a fallback; {@link Gathers} falls back to {@code oneHot · mmul})
     */
    public static boolean install() {
        DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
        long hash = gatherHash();
        synchronized (holder) {
            if (holder.customOpClassForHashAndName(hash, GATHER) == FixedGather.class) {
                return true;
            }
            try {
                registryMap(holder, "customOpHashToClass").put(hash, FixedGather.class);
                Map<Long, Map<String, Class<?>>> multi = registryMap(holder, "customOpHashToClasses");
                Map<String, Class<?>> byName = multi.get(hash);
                if (byName != null) {
                    byName.put(GATHER, FixedGather.class);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
            return holder.customOpClassForHashAndName(hash, GATHER) == FixedGather.class;
        }
    }

    /** Whether {@code gather} ops are currently re-created as {@link FixedGather}. */
    public static boolean isInstalled() {
        return DifferentialFunctionClassHolder.getInstance().customOpClassForHashAndName(gatherHash(), GATHER)
                == FixedGather.class;
    }

    /**
     * Maps the {@code gather} hash back to the stock {@code Gather} class. Only for tests that demonstrate the stock
     * defect; graphs built in between get the stock gradient.
     */
    static void restoreStockForTest() {
        DifferentialFunctionClassHolder holder = DifferentialFunctionClassHolder.getInstance();
        long hash = gatherHash();
        synchronized (holder) {
            try {
                registryMap(holder, "customOpHashToClass").put(hash, org.nd4j.linalg.api.ops.impl.shape.Gather.class);
                Map<Long, Map<String, Class<?>>> multi = registryMap(holder, "customOpHashToClasses");
                Map<String, Class<?>> byName = multi.get(hash);
                if (byName != null) {
                    byName.put(GATHER, org.nd4j.linalg.api.ops.impl.shape.Gather.class);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static long gatherHash() {
        CustomOpDescriptor d = Nd4j.getExecutioner().getCustomOperations().get(GATHER);
        if (d == null) {
            throw new IllegalStateException("the ND4J backend has no native op named '" + GATHER + "'");
        }
        return d.getHash();
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> registryMap(DifferentialFunctionClassHolder holder, String field)
            throws ReflectiveOperationException {
        Field f = DifferentialFunctionClassHolder.class.getDeclaredField(field);
        f.setAccessible(true);
        return (Map<K, V>) f.get(holder);
    }
}
