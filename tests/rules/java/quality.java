// Samples for config/rules/quality/java.yaml (codomyrmex rules test).
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

class Quality {
    private static final Logger LOG = Logger.getLogger("quality");

    void catching() {
        try {
            risky();
        // ruleid: java.empty-catch
        } catch (IOException e) {}
        try {
            risky();
        // ruleid: java.empty-catch
        } catch (IllegalStateException | IOException e) {
        }
        try {
            risky();
        // ok: java.empty-catch
        } catch (IOException ignored) {
            // The cache is optional.
        }
        try {
            risky();
        // ok: java.empty-catch
        } catch (IOException e) {
            LOG.warning(e.toString());
        }
    }

    void printing(Exception e, String name) {
        // ruleid: java.system-println
        System.out.println("name = " + name);
        // ruleid: java.system-println
        System.err.printf("%s%n", name);
        // ok: java.system-println
        LOG.info(name);
        // ruleid: java.print-stack-trace
        e.printStackTrace();
        // ok: java.print-stack-trace
        e.printStackTrace(System.err);
    }

    boolean strings(String s, String t) {
        // ruleid: java.string-equality
        if (s == "yes") {
            return true;
        }
        // ruleid: java.string-equality
        if ("no" == s.trim()) {
            return false;
        }
        // ruleid: java.string-inequality
        if (s != "maybe") {
            return false;
        }
        // ok: java.string-equality, java.string-inequality
        if ("yes".equals(s) || !Objects.equals(s, t) || s == null || s == t) {
            return true;
        }
        return false;
    }

    void generic() {
        try {
            risky();
        // ruleid: java.catch-generic
        } catch (Exception e) {
            LOG.severe(e.toString());
        }
        try {
            risky();
        // ruleid: java.catch-generic
        } catch (Throwable t) {
            throw new RuntimeException(t);
        }
        try {
            risky();
        // ok: java.catch-generic
        } catch (IOException | IllegalStateException e) {
            LOG.severe(e.toString());
        }
    }

    Object boxing(List<String> items) {
        // ruleid: java.boxed-constructor
        Integer i = new Integer(42);
        // ruleid: java.boxed-constructor
        Boolean b = new Boolean("true");
        // ok: java.boxed-constructor
        Integer j = Integer.valueOf(42);
        // ok: java.boxed-constructor
        StringBuilder sb = new StringBuilder("x");
        // ruleid: java.size-zero
        if (items.size() == 0) {
            return null;
        }
        // ok: java.size-zero
        if (items.isEmpty() || items.size() == 1) {
            return sb;
        }
        return i + j + (b ? 1 : 0);
    }

    private void risky() throws IOException {}

    static class Bag extends java.util.AbstractCollection<String> {
        public java.util.Iterator<String> iterator() {
            return java.util.Collections.emptyIterator();
        }

        public int size() {
            return 0;
        }

        public boolean isEmpty() {
            // ok: java.size-zero
            return this.size() == 0;
        }
    }
}
