// tensor_ops.cpp — elementwise arithmetic and math, comparisons, where, tril, reductions, running sums,
// sorting and matmul. These are the primitives the reference model is built from.
#include "boundary.hpp"

using jlm::dims;
using jlm::unwrap;

namespace {
// S: a double or a tensor.
template <typename S>
at::Tensor compare(const at::Tensor &a, const S &s, int op) {
  switch (op) {
    case JLM_CMP_EQ: return a.eq(s);
    case JLM_CMP_NE: return a.ne(s);
    case JLM_CMP_LT: return a.lt(s);
    case JLM_CMP_LE: return a.le(s);
    case JLM_CMP_GT: return a.gt(s);
    case JLM_CMP_GE: return a.ge(s);
  }
  throw std::invalid_argument("unknown comparison code " + std::to_string(op));
}
}  // namespace

extern "C" {

jlm_tensor jlm_add(jlm_tensor a, jlm_tensor b) { JLM_NEW(unwrap(a) + unwrap(b)) }
jlm_tensor jlm_sub(jlm_tensor a, jlm_tensor b) { JLM_NEW(unwrap(a) - unwrap(b)) }
jlm_tensor jlm_mul(jlm_tensor a, jlm_tensor b) { JLM_NEW(unwrap(a) * unwrap(b)) }
jlm_tensor jlm_div(jlm_tensor a, jlm_tensor b) { JLM_NEW(unwrap(a) / unwrap(b)) }
jlm_tensor jlm_add_scalar(jlm_tensor a, double s) { JLM_NEW(unwrap(a) + s) }
jlm_tensor jlm_mul_scalar(jlm_tensor a, double s) { JLM_NEW(unwrap(a) * s) }
jlm_tensor jlm_pow_scalar(jlm_tensor a, double e) { JLM_NEW(unwrap(a).pow(e)) }
jlm_tensor jlm_exp(jlm_tensor a) { JLM_NEW(unwrap(a).exp()) }
jlm_tensor jlm_log(jlm_tensor a) { JLM_NEW(unwrap(a).log()) }
jlm_tensor jlm_sqrt(jlm_tensor a) { JLM_NEW(unwrap(a).sqrt()) }
jlm_tensor jlm_rsqrt(jlm_tensor a) { JLM_NEW(unwrap(a).rsqrt()) }
jlm_tensor jlm_sigmoid(jlm_tensor a) { JLM_NEW(unwrap(a).sigmoid()) }
jlm_tensor jlm_sin(jlm_tensor a) { JLM_NEW(unwrap(a).sin()) }
jlm_tensor jlm_cos(jlm_tensor a) { JLM_NEW(unwrap(a).cos()) }
jlm_tensor jlm_abs(jlm_tensor a) { JLM_NEW(unwrap(a).abs()) }
jlm_tensor jlm_matmul(jlm_tensor a, jlm_tensor b) { JLM_NEW(torch::matmul(unwrap(a), unwrap(b))) }
jlm_tensor jlm_where(jlm_tensor c, jlm_tensor a, jlm_tensor b) { JLM_NEW(torch::where(unwrap(c), unwrap(a), unwrap(b))) }
jlm_tensor jlm_compare_scalar(jlm_tensor a, double s, int op) { JLM_NEW(compare(unwrap(a), s, op)) }
jlm_tensor jlm_compare(jlm_tensor a, jlm_tensor b, int op) { JLM_NEW(compare(unwrap(a), unwrap(b), op)) }
jlm_tensor jlm_tril(jlm_tensor t, int64_t k) { JLM_NEW(unwrap(t).tril(k)) }

/* ---- reductions ---- */
jlm_tensor jlm_sum(jlm_tensor t, const int64_t *d, int n, int keepdim) {
  JLM_NEW(n == 0 ? unwrap(t).sum() : unwrap(t).sum(dims(d, n), keepdim != 0))
}
jlm_tensor jlm_mean(jlm_tensor t, const int64_t *d, int n, int keepdim) {
  JLM_NEW(n == 0 ? unwrap(t).mean() : unwrap(t).mean(dims(d, n), keepdim != 0))
}
jlm_tensor jlm_amax(jlm_tensor t, const int64_t *d, int n, int keepdim) {
  JLM_NEW(unwrap(t).amax(dims(d, n), keepdim != 0))
}

jlm_tensor jlm_argmax(jlm_tensor t, int64_t dim) { JLM_NEW(unwrap(t).argmax(dim)) }
jlm_tensor jlm_logsumexp(jlm_tensor t, const int64_t *d, int n, int keepdim) {
  JLM_TRY {
    auto &x = unwrap(t);
    if (n == 0) return jlm::wrap(x.flatten().logsumexp({0}, false));
    return jlm::wrap(x.logsumexp(dims(d, n), keepdim != 0));
  }
  JLM_CATCH_RETURN(nullptr)
}
jlm_tensor jlm_norm(jlm_tensor t, double p, const int64_t *d, int n, int keepdim) {
  JLM_NEW(n == 0 ? unwrap(t).norm(p) : unwrap(t).norm(p, dims(d, n), keepdim != 0))
}
jlm_tensor jlm_cumsum(jlm_tensor t, int64_t dim) { JLM_NEW(unwrap(t).cumsum(dim)) }
jlm_tensor jlm_argsort(jlm_tensor t, int64_t dim, int descending) {
  JLM_NEW(std::get<1>(unwrap(t).sort(c10::optional<bool>(true), dim, descending != 0)))
}

}  // extern "C"
