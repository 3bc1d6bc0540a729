package org.detrdistill.core.internal.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** SameDiff prints a line per op when it builds a gradient graph; the filter drops exactly those lines. */
class GradientLogFilterTest {

    /** Builds a small graph's gradient with {@code System.out} captured; returns what was printed. */
    private static String gradientBuildOutput(boolean filtered) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            if (filtered) assertTrue(GradientLogFilter.install());
            assertEquals(filtered, GradientLogFilter.isInstalled());
            assertFalse(filtered && GradientLogFilter.install(), "a second install is a no-op");
            System.out.println("before");
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.createFromArray(1.0f, 2.0f, 3.0f));
            x.mul(x).sum().rename("loss");
            sd.setLossVariables("loss");
            Map<String, ?> g = sd.calculateGradients(Map.of(), "x");
            assertEquals(Nd4j.createFromArray(2.0f, 4.0f, 6.0f), g.get("x"));
            System.out.println("after");
            System.out.flush();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dropsOnlyTheGradientBuildLines() {
        String stock = gradientBuildOutput(false);
        assertTrue(stock.contains(GradientLogFilter.PREFIX), "without the filter SameDiff prints:\n" + stock);
        String filtered = gradientBuildOutput(true);
        assertEquals("before" + System.lineSeparator() + "after" + System.lineSeparator(), filtered);
    }
}
