// optim.cpp — the optimizer step over all parameters in one downcall each: AdamW, gradient clipping by the global
// norm, zeroing, and the non-finite check that lets a step be skipped. Each uses libtorch's multi-tensor kernels where
// the linked libtorch has them (_fused_adamw_, _foreach_*), and never reads a device value back on the host when it does:
// a training step then runs without a host synchronisation.
#include <cmath>

#include "boundary.hpp"

#if __has_include(<ATen/ops/_fused_adamw.h>)
#include <ATen/ops/_fused_adamw.h>
#define JLM_HAS_FUSED_ADAMW 1
#endif

using jlm::tensors;
using jlm::unwrap;

namespace {

// Whether libtorch's fused AdamW runs on this device: CUDA from 2.0, the CPU from 2.4.
bool fused_adamw_on(const at::Tensor &p) {
#ifdef JLM_HAS_FUSED_ADAMW
  return p.is_cuda() || (p.is_cpu() && JLM_TORCH_AT_LEAST(2, 4));
#else
  (void)p;
  return false;
#endif
}

}  // namespace

extern "C" {

jlm_tensor jlm_nonfinite(jlm_tensor *ts, int n) {
  JLM_TRY {
    auto list = tensors(ts, n);
    std::vector<at::Tensor> flags;
    flags.reserve(list.size());
    for (const auto &t : list) flags.push_back(t.isfinite().all());
    return jlm::wrap(at::stack(flags).all().logical_not().to(at::kFloat));
  }
  JLM_CATCH_RETURN(nullptr)
}

jlm_tensor jlm_clip_grad_norm_(jlm_tensor *grads, int n, double max_norm) {
  JLM_TRY {
    auto g = tensors(grads, n);
    at::NoGradGuard no_grad;
    auto norms = at::_foreach_norm(g, 2);                               // one kernel launch per chunk, not per tensor
    auto total = at::stack(norms).norm(2).to(at::kFloat);
    if (max_norm > 0) {
      auto coef = (max_norm / (total + 1e-6)).clamp_max(1.0);          // torch.nn.utils.clip_grad_norm_'s coefficient
#if JLM_TORCH_AT_LEAST(2, 1)
      at::_foreach_mul_(g, coef);
#else
      for (auto &t : g) t.mul_(coef);
#endif
    }
    return jlm::wrap(total);
  }
  JLM_CATCH_RETURN(nullptr)
}

int jlm_zero_many_(jlm_tensor *ts, int n) {
  JLM_DO({
    auto list = tensors(ts, n);
    at::NoGradGuard no_grad;
    at::_foreach_zero_(list);
  })
}

int jlm_adamw_(jlm_tensor *params, jlm_tensor *grads, jlm_tensor *exp_avgs, jlm_tensor *exp_avg_sqs, int n, jlm_tensor step,
               jlm_tensor lr, double beta1, double beta2, double eps, double weight_decay, jlm_tensor found_inf) {
  JLM_TRY {
    auto p = tensors(params, n), g = tensors(grads, n), m = tensors(exp_avgs, n), v = tensors(exp_avg_sqs, n);
    auto &steps = unwrap(step);
    auto &rate = unwrap(lr);
    at::NoGradGuard no_grad;
    if (fused_adamw_on(p[0])) {
#ifdef JLM_HAS_FUSED_ADAMW
      // as torch.optim.AdamW(fused=True): the step counts are bumped before the kernel and taken back after a skipped one
      std::vector<at::Tensor> state_steps(p.size(), steps);
      c10::optional<at::Tensor> inf;
      if (found_inf != nullptr) inf = unwrap(found_inf);
      steps.add_(1);
#if JLM_TORCH_AT_LEAST(2, 3)
      at::_fused_adamw_(p, g, m, v, {}, state_steps, rate, beta1, beta2, weight_decay, eps, false, false, c10::nullopt, inf);
#else
      at::_fused_adamw_(p, g, m, v, {}, state_steps, rate.item<double>(), beta1, beta2, weight_decay, eps, false, false, c10::nullopt, inf);
#endif
      if (found_inf != nullptr) steps.sub_(unwrap(found_inf));
#endif
      return 0;
    }
    // No fused kernel for this device (libtorch 1.13, or the CPU before 2.4): the scalars are read here, which costs
    // nothing for CPU tensors, and each parameter is updated as AdamW's formula says, term for term.
    if (found_inf != nullptr && unwrap(found_inf).item<double>() != 0) return 0;       // skipped: nothing changes
    double t = steps.add_(1).item<double>(), a = rate.item<double>();
    double bc1 = 1 - std::pow(beta1, t), bc2_sqrt = std::sqrt(1 - std::pow(beta2, t));
    // m̂/(√v̂ + ε) = m·√bc2/bc1 / (√v + ε·√bc2): the bias corrections move into two scalars
    double eps_hat = eps * bc2_sqrt, step_size = -a * bc2_sqrt / bc1;
    for (size_t i = 0; i < p.size(); i++) {
      p[i].mul_(1 - a * weight_decay);                 // 1) decoupled weight decay
      m[i].lerp_(g[i], 1 - beta1);                     // 2) m ← β1 m + (1−β1) g
      v[i].mul_(beta2).addcmul_(g[i], g[i], 1 - beta2);  // 3) v ← β2 v + (1−β2) g²
      auto denom = v[i].sqrt();                        // 4) √v + ε·√bc2
      denom.add_(eps_hat);
      p[i].addcdiv_(m[i], denom, step_size);           // 5) θ ← θ − lr·m̂/(√v̂ + ε)
    }
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

}  // extern "C"
