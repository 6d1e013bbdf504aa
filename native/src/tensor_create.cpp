// tensor_create.cpp — creation, copies in and out, casts, device transfer, seeded randomness.
#include <cmath>
#include <cstring>

#include "boundary.hpp"

using jlm::dims;
using jlm::options;
using jlm::unwrap;

extern "C" {

jlm_tensor jlm_empty(const int64_t *shape, int ndim, int dtype, int device) {
  JLM_NEW(torch::empty(dims(shape, ndim), options(dtype, device)))
}

jlm_tensor jlm_zeros(const int64_t *shape, int ndim, int dtype, int device) {
  JLM_NEW(torch::zeros(dims(shape, ndim), options(dtype, device)))
}

jlm_tensor jlm_ones(const int64_t *shape, int ndim, int dtype, int device) {
  JLM_NEW(torch::ones(dims(shape, ndim), options(dtype, device)))
}

jlm_tensor jlm_full(const int64_t *shape, int ndim, double value, int dtype, int device) {
  JLM_NEW(torch::full(dims(shape, ndim), value, options(dtype, device)))
}

jlm_tensor jlm_arange(double start, double end, double step, int dtype, int device) {
  JLM_NEW(torch::arange(start, end, step, options(dtype, device)))
}

jlm_tensor jlm_from_data(const void *data, int64_t nbytes, const int64_t *shape, int ndim, int dtype, int device) {
  JLM_TRY {
    // For a GPU: staged in pinned memory and copied without blocking, so uploading a batch does not wait for the
    // device's queue to drain (the caching host allocator keeps the block until the copy has run).
    bool gpu = device != -1;
    auto t = torch::empty(dims(shape, ndim), options(dtype, -1).pinned_memory(gpu));
    int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    if (nbytes != need)
      throw std::invalid_argument(std::to_string(nbytes) + " bytes given, shape needs " + std::to_string(need));
    if (need > 0) std::memcpy(t.data_ptr(), data, need);
    return jlm::wrap(gpu ? t.to(jlm::device(device), /*non_blocking=*/true) : t);
  }
  JLM_CATCH_RETURN(nullptr)
}

int jlm_copy_out(jlm_tensor t, void *dst, int64_t nbytes) {
  JLM_TRY {
    auto c = unwrap(t).detach().to(at::kCPU).contiguous();
    int64_t have = c.numel() * static_cast<int64_t>(c.element_size());
    if (nbytes != have)
      throw std::invalid_argument("tensor has " + std::to_string(have) + " bytes, buffer " + std::to_string(nbytes));
    if (have > 0) std::memcpy(dst, c.data_ptr(), have);
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

jlm_tensor jlm_clone(jlm_tensor t) { JLM_NEW(unwrap(t).clone()) }

jlm_tensor jlm_to_dtype(jlm_tensor t, int dtype) { JLM_NEW(unwrap(t).to(jlm::scalar_type(dtype))) }

jlm_tensor jlm_to_device(jlm_tensor t, int device) { JLM_NEW(unwrap(t).to(jlm::device(device))) }

/* ---- randomness: the same calls torch.randn & co. make, so the default generator reproduces PyTorch ---- */
jlm_tensor jlm_randn(const int64_t *shape, int ndim, int dtype, int device) {
  JLM_NEW(torch::randn(dims(shape, ndim), options(dtype, device)))
}

jlm_tensor jlm_rand(const int64_t *shape, int ndim, int dtype, int device) {
  JLM_NEW(torch::rand(dims(shape, ndim), options(dtype, device)))
}

jlm_tensor jlm_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, int device) {
  JLM_NEW(torch::randint(low, high, dims(shape, ndim), options(3, device)))
}

int jlm_uniform_(jlm_tensor t, double from, double to) {
  JLM_DO(torch::NoGradGuard g; unwrap(t).uniform_(from, to))
}

// torch.nn.init.trunc_normal_, step for step (inverse-CDF sampling), so the same seed gives the same values.
int jlm_trunc_normal_(jlm_tensor t, double mean, double std, double a, double b) {
  JLM_TRY {
    torch::NoGradGuard g;
    auto &x = unwrap(t);
    auto norm_cdf = [](double v) { return (1.0 + std::erf(v / std::sqrt(2.0))) / 2.0; };
    double l = norm_cdf((a - mean) / std);
    double u = norm_cdf((b - mean) / std);
    x.uniform_(2 * l - 1, 2 * u - 1);
    x.erfinv_();
    x.mul_(std * std::sqrt(2.0));
    x.add_(mean);
    x.clamp_(a, b);
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

}  // extern "C"
