import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The facade against jtokkit 1.1.0 itself (both on the class path; the names are written out in full): for cl100k and
 * o200k, on every document of each web-text file given, the same ordinary ids, token counts, decoded text, and truncated
 * encodings (ids, isTruncated, last character index) at several limits; every ModelType's encoding and context length;
 * and both refuse a special token's text in encode. Prints one line per encoding and file; exits 1 at the first difference.
 */
public class SwapParity {
    /** Limits where the facade follows jtokkit; at 0 jtokkit 1.1.0 still returns one pre-token's ids, the facade none. */
    static final int[] LIMITS = {1, 2, 7, 64, 1000};

    public static void main(String[] args) throws Exception {
        var theirs = com.knuddels.jtokkit.Encodings.newDefaultEncodingRegistry();
        var ours = dev.jlm.jtokkit.Encodings.newDefaultEncodingRegistry();
        for (var m : com.knuddels.jtokkit.api.ModelType.values()) {
            var mine = dev.jlm.jtokkit.api.ModelType.valueOf(m.name());
            same(m + " encoding", m.getEncodingType().getName(), mine.getEncodingType().getName());
            same(m + " context", m.getMaxContextLength(), mine.getMaxContextLength());
            same(m + " fromName", m.getName(), dev.jlm.jtokkit.api.ModelType.fromName(m.getName()).orElseThrow().getName());
        }
        same("model types", com.knuddels.jtokkit.api.ModelType.values().length, dev.jlm.jtokkit.api.ModelType.values().length);
        same("gpt-4o", theirs.getEncodingForModel(com.knuddels.jtokkit.api.ModelType.GPT_4O).getName(),
                ours.getEncodingForModel(dev.jlm.jtokkit.api.ModelType.GPT_4O).getName());
        for (String type : new String[] {"CL100K_BASE", "O200K_BASE"}) {
            var t = theirs.getEncoding(com.knuddels.jtokkit.api.EncodingType.valueOf(type));
            var o = ours.getEncoding(dev.jlm.jtokkit.api.EncodingType.valueOf(type));
            same(type + " name", t.getName(), o.getName());
            refusesSpecial(() -> t.encode("a <|endoftext|> b"), type + " jtokkit");
            refusesSpecial(() -> o.encode("a <|endoftext|> b"), type + " facade");
            for (String file : args) {
                String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                String[] docs = text.split("<\\|endoftext\\|>");
                long tokens = 0, cuts = 0;
                for (int d = 0; d < docs.length; d++) {
                    String doc = docs[d], where = type + " " + file + " doc " + d;
                    int[] want = t.encodeOrdinary(doc).toArray(), got = o.encodeOrdinary(doc).toArray();
                    if (!Arrays.equals(want, got)) fail(where + " ids: jtokkit " + Arrays.toString(Arrays.copyOf(want, 20))
                            + "..., facade " + Arrays.toString(Arrays.copyOf(got, 20)) + "...");
                    same(where + " encode", t.encode(doc).boxed(), o.encode(doc).boxed());
                    same(where + " countTokens", t.countTokens(doc), o.countTokens(doc));
                    same(where + " decode", t.decode(t.encode(doc)), o.decode(o.encode(doc)));
                    for (int max : LIMITS) {
                        var tr = t.encode(doc, max);
                        var or = o.encode(doc, max);
                        same(where + " encode(" + max + ") ids", tr.getTokens().boxed(), or.getTokens().boxed());
                        same(where + " encode(" + max + ") truncated", tr.isTruncated(), or.isTruncated());
                        same(where + " encode(" + max + ") last char", tr.getLastProcessedCharacterIndex(), or.getLastProcessedCharacterIndex());
                        if (or.isTruncated()) cuts++;
                    }
                    same(where + " encode(0) ids", 0, o.encode(doc, 0).getTokens().size());
                    tokens += got.length;
                }
                int[] whole = o.encodeOrdinary(text).toArray();
                if (!Arrays.equals(t.encodeOrdinary(text).toArray(), whole)) fail(type + " " + file + ": whole-file ordinary ids differ");
                System.out.printf("%s %s: %d docs, %,d tokens, %,d truncated encodings: same ids as jtokkit 1.1.0%n",
                        o.getName(), Path.of(file).getFileName(), docs.length, tokens, cuts);
            }
        }
    }

    static void refusesSpecial(Runnable r, String who) {
        try {
            r.run();
        } catch (UnsupportedOperationException expected) {
            return;
        }
        fail(who + " encoded a special token's text instead of refusing it");
    }

    static void same(String what, Object want, Object got) {
        if (!want.equals(got)) fail(what + ": jtokkit " + want + ", facade " + got);
    }

    static void fail(String message) {
        System.err.println("check-jtokkit-swap: " + message);
        System.exit(1);
    }
}
