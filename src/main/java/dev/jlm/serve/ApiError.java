package dev.jlm.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refused request, in OpenAI's error shape: {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 * Every out-of-domain value is a 400 {@code invalid_request_error} (OpenAI's own choice; 422 is not used), naming the field
 * in {@code param}.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a value outside its domain, or a request this server cannot answer; {@code param} names the field. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    Map<String, Object> body() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", getMessage());
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return Map.of("error", e);
    }
}
