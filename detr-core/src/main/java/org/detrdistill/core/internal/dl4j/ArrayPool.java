package org.detrdistill.core.internal.dl4j;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The memory manager of a {@link PlanSession}: op output arrays are taken from and returned to a pool of idle arrays
 * keyed by data type and shape, so a graph run repeatedly with the same shapes (training, batched inference) allocates
 * almost nothing after its first call. A fresh native array costs a JNI allocation, a JavaCPP deallocator and, when
 * {@code maxphysicalbytes} is set, a read of the process's memory use; later the garbage collector and the
 * deallocator thread pay again.
 *
 * <p>Two modes:
 * <ul>
 *   <li><b>tracked</b> (a plan is running, {@link #begin()} … {@link #end()}): every array handed out is recorded by
 *       its native address range. The session reports which values hold which arrays ({@link #retain}, {@link #drop})
 *       and which escape to the caller ({@link #pin}); an array returns to the pool when no live value (including
 *       views and aliases, found by address) holds it any more, and at the end of the call every array that did not
 *       escape returns. {@link #release} requests of the stock executor code are ignored in this mode.</li>
 *   <li><b>stock</b> (the session fell back to the stock executor): {@link #release} returns arrays to the pool,
 *       with the checks of ND4J's own {@code ArrayCacheMemoryMgr}.</li>
 * </ul>
 * Idle arrays beyond {@code maxIdleBytes} are closed (their native memory freed at once). Not thread-safe: one pool
 * per session, and a session belongs to one thread.
 */
final class ArrayPool extends AbstractMemoryMgr {
    /** A pooled array handed out in the current tracked call. */
    private static final class Slot {
        final INDArray array;
        final long base;
        final long bytes;
        int refs;
        boolean pinned;

        Slot(INDArray array, long base, long bytes) {
            this.array = array;
            this.base = base;
            this.bytes = bytes;
        }
    }

    private record Key(DataType type, long[] shape) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.type == type && Arrays.equals(k.shape, shape);
        }

        @Override public int hashCode() { return 31 * type.hashCode() + Arrays.hashCode(shape); }
    }

    private final long maxIdleBytes;
    private final Map<Key, ArrayDeque<INDArray>> idle = new HashMap<>();
    private final NavigableMap<Long, Slot> handedOut = new TreeMap<>();
    private long idleBytes;
    private boolean tracking;
    private long allocations;
    private long reuses;

    /** With an idle limit of a quarter of JavaCPP's {@code maxbytes} (as ND4J's {@code ArrayCacheMemoryMgr}). */
    ArrayPool() { this(Math.max(0, Pointer.maxBytes() / 4)); }

    ArrayPool(long maxIdleBytes) {
        if (maxIdleBytes < 0) throw new IllegalArgumentException("maxIdleBytes must be >= 0, got " + maxIdleBytes);
        this.maxIdleBytes = maxIdleBytes;
    }

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return allocate(dataType, shape, 'c');
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) return Nd4j.create(descriptor).detach();
        return allocate(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
    }

    private INDArray allocate(DataType dataType, long[] shape, char order) {
        ArrayDeque<INDArray> q = idle.get(new Key(dataType, shape));
        INDArray a = null;
        while (q != null && !q.isEmpty() && a == null) {
            INDArray c = q.poll();
            idleBytes -= bytes(c);
            if (!c.wasClosed()) a = c;
        }
        if (a != null) {
            reuses++;
            ((BaseNDArray) a).assignNewId();
            if (a.ordering() != order) a.setOrder(order);
        } else {
            allocations++;
            a = Nd4j.createUninitializedDetached(dataType, shape);
        }
        if (tracking && a.data() != null && a.length() > 0) {
            long base = a.data().address();
            handedOut.put(base, new Slot(a, base, bytes(a)));
        }
        return a;
    }

    /** Stock mode: takes the array back (unless shared or closed). Tracked mode: ignored, the session decides. */
    @Override
    public void release(INDArray array) {
        Objects.requireNonNull(array, "array");
        if (tracking) return;
        DataBuffer data = array.data();
        if (data == null || array.isView() || array.isEmpty() || array.dataType() == DataType.UTF8
                || Nd4j.getExecutioner().useCount(data) > 1) {
            return;
        }
        toIdle(array);
    }

    @Override
    public void close() {
        for (ArrayDeque<INDArray> q : idle.values()) for (INDArray a : q) closeQuietly(a);
        idle.clear();
        idleBytes = 0;
    }

    // ------------------------------------------------------------------------------------------ tracked mode

    /** Starts tracking the arrays handed out (one planned call). */
    void begin() {
        handedOut.clear();
        tracking = true;
    }

    /** A value now holds {@code value} (or a view of a pooled array). */
    void retain(INDArray value) {
        Slot s = slotOf(value);
        if (s != null) s.refs++;
    }

    /** A value holding {@code value} is dead; its pooled array returns once nothing else holds it. */
    void drop(INDArray value) {
        Slot s = slotOf(value);
        if (s == null) return;
        s.refs--;
        if (s.refs <= 0 && !s.pinned) {
            handedOut.remove(s.base);
            toIdle(s.array);
        }
    }

    /** {@code value} escapes to the caller: the pooled array holding it is never reused. */
    void pin(INDArray value) {
        Slot s = slotOf(value);
        if (s != null) s.pinned = true;
    }

    /** Ends the call: every array handed out that did not escape returns to the pool. */
    void end() {
        for (Slot s : handedOut.values()) if (!s.pinned) toIdle(s.array);
        handedOut.clear();
        tracking = false;
    }

    /** Arrays created since this pool was made. */
    long allocations() { return allocations; }

    /** Allocation requests served from the pool. */
    long reuses() { return reuses; }

    /** Bytes of idle arrays held. */
    long idleBytes() { return idleBytes; }

    private Slot slotOf(INDArray value) {
        if (value == null || handedOut.isEmpty()) return null;
        DataBuffer data = value.data();
        if (data == null || value.isEmpty()) return null;
        long address = data.address();   // a view's buffer starts at or after its array's first element
        Map.Entry<Long, Slot> e = handedOut.floorEntry(address);
        if (e == null) return null;
        Slot s = e.getValue();
        return address < s.base + Math.max(1, s.bytes) ? s : null;
    }

    private void toIdle(INDArray a) {
        if (a.wasClosed()) return;
        long b = bytes(a);
        if (idleBytes + b > maxIdleBytes) {
            closeQuietly(a);
            return;
        }
        idle.computeIfAbsent(new Key(a.dataType(), a.shape()), k -> new ArrayDeque<>()).add(a);
        idleBytes += b;
    }

    private static long bytes(INDArray a) {
        DataBuffer d = a.data();
        return d == null ? 0 : d.length() * d.getElementSize();
    }

    private static void closeQuietly(INDArray a) {
        try {
            if (a.closeable()) a.close();
        } catch (RuntimeException ignored) {
            // an array that cannot be closed is left to the garbage collector
        }
    }
}
