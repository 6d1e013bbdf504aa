// GenBindings — the project's own binding generator, used where jextract is not installed.
// Reads native/include/jlm.h (one declaration per line, only the types the header's rules allow) and writes
// bindings/java/dev/jlm/bindings/jlm_h.java in jextract's shape (one static method per C function),
// bindings/includes.txt (the symbol list, jextract's --include-function file) and bindings/header.sha256.
// Usage: java scripts/GenBindings.java [--check]   (--check: exit 1 when the checked-in bindings are stale)
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class GenBindings {
    record Param(String cType, String name) {}
    record Fn(String ret, String name, List<Param> params) {}

    static final Pattern HANDLE = Pattern.compile("^typedef struct jlm_\\w+_s \\*(jlm_\\w+);\\s*$");
    /** The header's opaque handle types (typedef struct jlm_x_s *jlm_x): pointers at the boundary. */
    static final java.util.Set<String> HANDLES = new java.util.HashSet<>();
    static final Pattern CONST = Pattern.compile("^#define (JLM_[A-Z0-9_]+) (-?\\d+)\\s*$");
    static final Pattern DECL = Pattern.compile("^\\s*((?:const\\s+)?\\w+(?:\\s*\\*)?)\\s*(jlm_\\w+)\\((.*)\\);\\s*$");

    public static void main(String[] args) throws Exception {
        boolean check = args.length > 0 && args[0].equals("--check");
        Path root = Path.of(System.getProperty("jlm.root", "."));
        Path header = root.resolve("native/include/jlm.h");
        byte[] headerBytes = Files.readAllBytes(header);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(headerBytes));
        for (String line : new String(headerBytes, StandardCharsets.UTF_8).split("\n")) {
            Matcher h = HANDLE.matcher(line);
            if (h.matches()) HANDLES.add(h.group(1));
        }
        List<Fn> fns = parse(new String(headerBytes, StandardCharsets.UTF_8));
        List<String[]> consts = constants(new String(headerBytes, StandardCharsets.UTF_8));

        Path javaOut = root.resolve("bindings/java/dev/jlm/bindings/jlm_h.java");
        String java = emit(fns, consts, sha);
        StringBuilder includes = new StringBuilder();
        for (Fn f : fns) includes.append("--include-function ").append(f.name()).append('\n');
        String shaLine = sha + "  native/include/jlm.h\n";

        if (check) {
            boolean stale = !same(javaOut, java) || !same(root.resolve("bindings/includes.txt"), includes.toString())
                    || !same(root.resolve("bindings/header.sha256"), shaLine);
            if (stale) {
                System.err.println("bindings/ is stale against native/include/jlm.h: run scripts/gen-bindings");
                System.exit(1);
            }
            System.out.println("bindings/ is fresh (" + fns.size() + " functions, header " + sha.substring(0, 12) + ")");
            return;
        }
        Files.createDirectories(javaOut.getParent());
        Files.writeString(javaOut, java);
        Files.writeString(root.resolve("bindings/includes.txt"), includes.toString());
        Files.writeString(root.resolve("bindings/header.sha256"), shaLine);
        System.out.println("wrote " + javaOut + " (" + fns.size() + " functions)");
    }

    static boolean same(Path p, String expected) throws Exception {
        return Files.exists(p) && Files.readString(p).equals(expected);
    }

    static List<Fn> parse(String header) {
        List<Fn> fns = new ArrayList<>();
        int lineNo = 0;
        for (String line : header.split("\n")) {
            lineNo++;
            if (!line.contains("jlm_") || !line.contains("(") || line.trim().startsWith("/*") || line.trim().startsWith("*")
                    || line.trim().startsWith("//")) continue;
            Matcher m = DECL.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("jlm.h:" + lineNo + ": cannot parse declaration: " + line);
            List<Param> params = new ArrayList<>();
            String ps = m.group(3).trim();
            if (!ps.equals("void") && !ps.isEmpty()) {
                for (String p : ps.split(",")) {
                    Matcher pm = Pattern.compile("^(.*?)(\\w+)$").matcher(p.trim());
                    if (!pm.matches()) throw new IllegalArgumentException("jlm.h:" + lineNo + ": cannot parse parameter: " + p);
                    params.add(new Param(pm.group(1).trim(), pm.group(2)));
                }
            }
            fns.add(new Fn(m.group(1).trim(), m.group(2), params));
        }
        return fns;
    }

    /** The header's integer constants: "#define JLM_NAME value" → {name, value}. */
    static List<String[]> constants(String header) {
        List<String[]> out = new ArrayList<>();
        for (String line : header.split("\n")) {
            Matcher m = CONST.matcher(line);
            if (m.matches()) out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /** C type → {ValueLayout constant, Java type}. */
    static String[] map(String c, boolean isReturn) {
        String t = c.replace("const", "").replaceAll("\\s+", "");
        if (t.contains("*") || HANDLES.contains(t)) return new String[] {"C_POINTER", "MemorySegment"};
        return switch (t) {
            case "int" -> new String[] {"C_INT", "int"};
            case "int64_t" -> new String[] {"C_LONG", "long"};
            case "double" -> new String[] {"C_DOUBLE", "double"};
            case "void" -> {
                if (!isReturn) throw new IllegalArgumentException("void parameter");
                yield new String[] {null, "void"};
            }
            default -> throw new IllegalArgumentException("type not allowed at the boundary: " + c);
        };
    }

    static String emit(List<Fn> fns, List<String[]> consts, String sha) {
        StringBuilder s = new StringBuilder();
        s.append("// Generated by scripts/gen-bindings from native/include/jlm.h — do not edit\n");
        s.append("package dev.jlm.bindings;\n\n");
        s.append("import java.lang.foreign.*;\nimport java.lang.invoke.MethodHandle;\n\n");
        s.append("/** FFM downcalls for every function of native/include/jlm.h. Load the shim (System.load) before use. */\n");
        s.append("@SuppressWarnings(\"unused\")\npublic final class jlm_h {\n");
        s.append("    private jlm_h() {}\n\n");
        s.append("    /** SHA-256 of the jlm.h these bindings were generated from. */\n");
        s.append("    public static final String HEADER_SHA256 = \"").append(sha).append("\";\n\n");
        for (String[] c : consts) s.append("    public static final int ").append(c[0]).append(" = ").append(c[1]).append(";\n");
        if (!consts.isEmpty()) s.append('\n');
        s.append("    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;\n");
        s.append("    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;\n");
        s.append("    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;\n");
        s.append("    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;\n\n");
        s.append("    private static MethodHandle downcall(String name, FunctionDescriptor fd) {\n");
        s.append("        MemorySegment address = SymbolLookup.loaderLookup().find(name)\n");
        s.append("                .orElseThrow(() -> new UnsatisfiedLinkError(\"symbol \" + name + \" not found: is the jlm shim loaded and current?\"));\n");
        s.append("        return Linker.nativeLinker().downcallHandle(address, fd);\n");
        s.append("    }\n");
        for (Fn f : fns) {
            String[] r = map(f.ret(), true);
            List<String> layouts = new ArrayList<>();
            List<String> sig = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Param p : f.params()) {
                String[] m = map(p.cType(), false);
                layouts.add(m[0]);
                sig.add(m[1] + " " + p.name());
                names.add(p.name());
            }
            String fd = r[0] == null
                    ? "FunctionDescriptor.ofVoid(" + String.join(", ", layouts) + ")"
                    : "FunctionDescriptor.of(" + r[0] + (layouts.isEmpty() ? "" : ", " + String.join(", ", layouts)) + ")";
            s.append("\n    private static final class ").append(f.name()).append("$ {\n");
            s.append("        static final MethodHandle MH = downcall(\"").append(f.name()).append("\", ").append(fd).append(");\n");
            s.append("    }\n\n");
            s.append("    /** {@code ").append(f.ret()).append(' ').append(f.name()).append('(');
            List<String> cParams = new ArrayList<>();
            for (Param p : f.params()) cParams.add(p.cType() + " " + p.name());
            s.append(String.join(", ", cParams).replace("*", "&#42;")).append(")} */\n");
            s.append("    public static ").append(r[1]).append(' ').append(f.name()).append('(').append(String.join(", ", sig)).append(") {\n");
            s.append("        try {\n");
            String call = f.name() + "$.MH.invokeExact(" + String.join(", ", names) + ")";
            if (r[1].equals("void")) s.append("            ").append(call).append(";\n");
            else s.append("            return (").append(r[1]).append(") ").append(call).append(";\n");
            s.append("        } catch (Throwable ex$) {\n");
            s.append("            throw new AssertionError(\"downcall ").append(f.name()).append(" failed\", ex$);\n");
            s.append("        }\n    }\n");
        }
        s.append("}\n");
        return s.toString();
    }
}
