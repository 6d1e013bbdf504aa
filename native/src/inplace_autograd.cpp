// inplace_autograd.cpp — in-place updates (for optimizers, run under no-grad) and autograd.
#include "boundary.hpp"

using jlm::unwrap;

extern "C" {

int jlm_mul_(jlm_tensor t, jlm_tensor o) { JLM_DO(unwrap(t).mul_(unwrap(o))) }
int jlm_mul_scalar_(jlm_tensor t, double s) { JLM_DO(unwrap(t).mul_(s)) }
int jlm_add_(jlm_tensor t, jlm_tensor o, double alpha) { JLM_DO(unwrap(t).add_(unwrap(o), alpha)) }
int jlm_add_scalar_(jlm_tensor t, double s) { JLM_DO(unwrap(t).add_(s)) }
int jlm_addcmul_(jlm_tensor t, jlm_tensor a, jlm_tensor b, double v) { JLM_DO(unwrap(t).addcmul_(unwrap(a), unwrap(b), v)) }
int jlm_addcdiv_(jlm_tensor t, jlm_tensor a, jlm_tensor b, double v) { JLM_DO(unwrap(t).addcdiv_(unwrap(a), unwrap(b), v)) }
int jlm_lerp_(jlm_tensor t, jlm_tensor end, double w) { JLM_DO(unwrap(t).lerp_(unwrap(end), w)) }
int jlm_copy_(jlm_tensor t, jlm_tensor src) { JLM_DO(unwrap(t).copy_(unwrap(src))) }
int jlm_index_copy_(jlm_tensor t, int64_t dim, jlm_tensor index, jlm_tensor src) {
  JLM_DO(unwrap(t).index_copy_(dim, unwrap(index), unwrap(src)))
}
int jlm_zero_(jlm_tensor t) { JLM_DO(unwrap(t).zero_()) }
int jlm_fill_(jlm_tensor t, double v) { JLM_DO(unwrap(t).fill_(v)) }

int jlm_set_requires_grad(jlm_tensor t, int rg) { JLM_DO(unwrap(t).set_requires_grad(rg != 0)) }
int jlm_requires_grad(jlm_tensor t) { JLM_TRY { return unwrap(t).requires_grad() ? 1 : 0; } JLM_CATCH_RETURN(-1) }
int jlm_backward(jlm_tensor t) { JLM_DO(unwrap(t).backward()) }

int jlm_grad(jlm_tensor t, jlm_tensor *out) {
  JLM_TRY {
    const auto &g = unwrap(t).grad();
    *out = g.defined() ? jlm::wrap(g) : nullptr;
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

int jlm_clear_grad(jlm_tensor t) { JLM_DO(unwrap(t).mutable_grad() = at::Tensor()) }

int jlm_set_grad(jlm_tensor t, jlm_tensor g) {
  JLM_TRY {
    at::Tensor &p = unwrap(t);
    const at::Tensor &v = unwrap(g);
    TORCH_CHECK(p.is_leaf(), "setGrad: the tensor is not a leaf (autograd computes its gradient and stores none); "
                "set the gradient of the leaves it is computed from");
    TORCH_CHECK(p.sizes() == v.sizes(), "setGrad: gradient of shape ", v.sizes(), " for a tensor of shape ", p.sizes());
    TORCH_CHECK(p.scalar_type() == v.scalar_type() && p.device() == v.device(), "setGrad: gradient of ",
                v.scalar_type(), " on ", v.device(), " for a tensor of ", p.scalar_type(), " on ", p.device());
    p.mutable_grad() = v.detach().clone();
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

jlm_tensor jlm_detach(jlm_tensor t) { JLM_NEW(unwrap(t).detach()) }

}  // extern "C"
