// fused.cpp — libtorch's fused kernels, for the optional fast path only. The reference modules in
// dev.jlm.nn never call these; tests compare them against the primitive-built versions.
#include <torch/version.h>

#include "boundary.hpp"

#ifndef TORCH_VERSION_MAJOR
#error "TORCH_VERSION_MAJOR is undefined: <torch/version.h> did not define it, so the libtorch version cannot be told"
#endif

using jlm::unwrap;

extern "C" {

jlm_tensor jlm_fused_softmax(jlm_tensor t, int64_t dim) { JLM_NEW(torch::softmax(unwrap(t), dim)) }

// logits (..., V), targets (...) int64 -> mean cross-entropy, a scalar.
jlm_tensor jlm_fused_cross_entropy(jlm_tensor logits, jlm_tensor targets) {
  JLM_TRY {
    auto &l = unwrap(logits);
    return jlm::wrap(torch::nn::functional::cross_entropy(l.reshape({-1, l.size(-1)}), unwrap(targets).reshape({-1})));
  }
  JLM_CATCH_RETURN(nullptr)
}

jlm_tensor jlm_fused_silu(jlm_tensor t) { JLM_NEW(torch::silu(unwrap(t))) }

jlm_tensor jlm_fused_rms_norm(jlm_tensor x, jlm_tensor weight, double eps) {
  JLM_TRY {
    auto &X = unwrap(x), &W = unwrap(weight);
    if (X.dim() < 1 || W.dim() != 1 || W.size(0) != X.size(-1))
      throw std::invalid_argument("rms_norm: weight must be (D) for x (..., D)");
#if JLM_TORCH_AT_LEAST(2, 4)
    auto x32 = X.scalar_type() == at::kFloat ? X : X.to(at::kFloat);
    return jlm::wrap(at::rms_norm(x32, {X.size(-1)}, W, eps).to(X.scalar_type()));
#else
    auto x32 = X.to(at::kFloat);
    return jlm::wrap((x32 * (x32.pow(2).mean(-1, true) + eps).rsqrt() * W).to(X.scalar_type()));
#endif
  }
  JLM_CATCH_RETURN(nullptr)
}

jlm_tensor jlm_fused_attention(jlm_tensor q, jlm_tensor k, jlm_tensor v, jlm_tensor bias, double scale) {
  JLM_TRY {
    auto &Q = unwrap(q), &K = unwrap(k), &V = unwrap(v);
    if (Q.dim() < 3 || K.dim() != Q.dim() || V.dim() != Q.dim()) throw std::invalid_argument("attention: q, k, v need the same rank >= 3");
    int64_t tq = Q.size(-2), d = Q.size(-1), tk = K.size(-2), dv = V.size(-1);
    auto q3 = Q.reshape({-1, tq, d}), k3 = K.reshape({-1, tk, d}), v3 = V.reshape({-1, tk, dv});  // (N, T, D)
    auto kt = k3.transpose(1, 2);                                                                // (N, D, Tk)
    auto scores = bias != nullptr ? at::baddbmm(unwrap(bias), q3, kt, 1.0, scale) : at::bmm(q3, kt).mul(scale);  // (N, Tq, Tk)
    auto y = at::bmm(at::softmax(scores, -1), v3);                                               // (N, Tq, Dv)
    std::vector<int64_t> shape(Q.sizes().begin(), Q.sizes().end() - 2);
    shape.push_back(tq);
    shape.push_back(dv);
    return jlm::wrap(y.view(shape));
  }
  JLM_CATCH_RETURN(nullptr)
}

// mask: bool, true = may attend (CS336's convention and PyTorch's), or NULL.
jlm_tensor jlm_fused_sdpa(jlm_tensor q, jlm_tensor k, jlm_tensor v, jlm_tensor mask, int is_causal) {
  JLM_TRY {
#if TORCH_VERSION_MAJOR >= 2
    // The mask argument is an optional tensor (c10::optional on 2.0-2.3, std::optional later): pass a tensor or
    // {} and let each version convert it, so no spelling of "optional" appears here.
    if (mask != nullptr) {
      return jlm::wrap(at::scaled_dot_product_attention(unwrap(q), unwrap(k), unwrap(v), unwrap(mask), 0.0, is_causal != 0));
    }
    return jlm::wrap(at::scaled_dot_product_attention(unwrap(q), unwrap(k), unwrap(v), {}, 0.0, is_causal != 0));
#else
    (void)q; (void)k; (void)v; (void)mask; (void)is_causal;
    throw std::runtime_error("scaled_dot_product_attention needs libtorch >= 2.0; this shim was built against " TORCH_VERSION);
#endif
  }
  JLM_CATCH_RETURN(nullptr)
}

jlm_tensor jlm_fused_rope(jlm_tensor x, jlm_tensor cos, jlm_tensor sin) {
  JLM_TRY {
    auto &X = unwrap(x);
    int64_t d = X.size(-1);
    if (d % 2 != 0) throw std::invalid_argument("rope: the last dimension must be even, got " + std::to_string(d));
    if (X.scalar_type() != at::kFloat && X.scalar_type() != at::kDouble) {                // no complex bfloat16 / half
      throw std::invalid_argument(std::string("rope: a complex multiply needs float32 or float64, got ") + c10::toString(X.scalar_type()));
    }
    auto c = unwrap(cos).to(X.scalar_type()), s = unwrap(sin).to(X.scalar_type());   // (T, D/2)
    auto pairs = X.unflatten(-1, {d / 2, 2});                                            // (..., T, D/2, 2)
    bool viewable = pairs.stride(-1) == 1 && pairs.storage_offset() % 2 == 0;          // view_as_complex's demands
    for (int64_t i = 0; i < pairs.dim() - 1; i++) viewable = viewable && pairs.stride(i) % 2 == 0;
    auto z = at::view_as_complex(viewable ? pairs : pairs.contiguous());                // (..., T, D/2) complex
    return jlm::wrap(at::view_as_real(z * at::complex(c, s)).flatten(-2));              // (e + i·o)(cos + i·sin)
  }
  JLM_CATCH_RETURN(nullptr)
}

}  // extern "C"
