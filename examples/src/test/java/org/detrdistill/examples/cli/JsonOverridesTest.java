package org.detrdistill.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonOverridesTest {
    private static final String BASE = "{\"a\": 1, \"name\": \"x\", \"inner\": {\"b\": [1, 2], \"flag\": false}}";

    private static JsonNode apply(String... sets) throws Exception {
        return new ObjectMapper().readTree(JsonOverrides.apply(BASE, List.of(sets)));
    }

    @Test
    void setsTopLevelAndNestedFieldsWithJsonOrStringValues() throws Exception {
        JsonNode n = apply("a=64", "name=adamixer", "inner.b=[3,4,5]", "inner.flag=true", "a=65");
        assertEquals(65, n.get("a").asInt());                       // later wins
        assertTrue(n.get("a").isInt());
        assertEquals("adamixer", n.get("name").asText());           // not JSON: a string
        assertEquals(3, n.get("inner").get("b").size());
        assertTrue(n.get("inner").get("flag").asBoolean());
        assertEquals("1e-5", apply("name=\"1e-5\"").get("name").asText()); // quoted JSON string stays a string
        assertTrue(apply("name=1e-5").get("name").isDouble());
    }

    @Test
    void unknownFieldsAndBadSyntaxFailNamingWhatIsValid() {
        IllegalArgumentException top = assertThrows(IllegalArgumentException.class, () -> apply("aa=1"));
        assertTrue(top.getMessage().contains("'aa'") && top.getMessage().contains("a, name, inner"), top.getMessage());
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class, () -> apply("inner.c=1"));
        assertTrue(nested.getMessage().contains("'inner.c'") && nested.getMessage().contains("of 'inner': b, flag"),
                nested.getMessage());
        IllegalArgumentException through = assertThrows(IllegalArgumentException.class, () -> apply("a.b=1"));
        assertTrue(through.getMessage().contains("'a' is not an object"), through.getMessage());
        assertThrows(IllegalArgumentException.class, () -> apply("novalue"));
        assertThrows(IllegalArgumentException.class, () -> apply("=1"));
        assertThrows(IllegalArgumentException.class, () -> apply("inner..b=1"));
    }
}
