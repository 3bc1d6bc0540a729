package org.detrdistill.core.testutil;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * JUnit 5 extension for test classes that compare against fixtures or finite differences in double precision:
 * {@code @ExtendWith(DoublePrecision.class)} makes DOUBLE ND4J's default data type for the class's tests and restores
 * the previous default afterwards.
 */
public final class DoublePrecision implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DoublePrecision.class);
    private static final String SAVED = "saved-default";

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put(SAVED, Nd4j.dataType());
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        DataType saved = context.getStore(NS).remove(SAVED, DataType.class);
        if (saved != null) Nd4j.setDefaultDataTypes(saved, saved);
    }
}
