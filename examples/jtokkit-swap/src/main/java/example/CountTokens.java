package example;

import dev.jlm.jtokkit.Encodings;
import dev.jlm.jtokkit.api.Encoding;
import dev.jlm.jtokkit.api.EncodingRegistry;
import dev.jlm.jtokkit.api.EncodingResult;
import dev.jlm.jtokkit.api.EncodingType;
import dev.jlm.jtokkit.api.IntArrayList;
import dev.jlm.jtokkit.api.ModelType;

/** A jtokkit program after the swap: only the imports changed (com.knuddels.jtokkit → dev.jlm.jtokkit). */
public class CountTokens {
    public static void main(String[] args) {
        EncodingRegistry registry = Encodings.newDefaultEncodingRegistry();
        Encoding enc = registry.getEncoding(EncodingType.O200K_BASE);
        Encoding gpt4o = registry.getEncodingForModel(ModelType.GPT_4O);
        String text = args.length > 0 ? args[0] : "Hello, world! Ünïcödé and <|endoftext|> as text.";
        IntArrayList ids = enc.encodeOrdinary(text);
        EncodingResult cut = gpt4o.encodeOrdinary(text, 5);
        System.out.println(enc.getName() + " " + ids + " " + enc.countTokensOrdinary(text) + " tokens; decodes back: "
                + enc.decode(ids).equals(text));
        System.out.println(gpt4o.getName() + " first 5: " + cut.getTokens() + " truncated=" + cut.isTruncated() + " \""
                + gpt4o.decode(cut.getTokens()) + "\"");
    }
}
