// runtime.cpp — errors, versions, threads, devices, RNG state, grad mode, freeing handles.
#include <dlfcn.h>
#include <torch/version.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cstring>

#include "boundary.hpp"

#ifndef TORCH_VERSION_MAJOR
#error "TORCH_VERSION_MAJOR is undefined: <torch/version.h> did not define it, so the libtorch version cannot be told"
#endif

#ifndef JLM_HEADER_SHA256
#error "JLM_HEADER_SHA256 must be defined by the build (CMakeLists.txt hashes native/include/jlm.h)"
#endif

namespace {
thread_local std::string last_error;
}

namespace jlm {

void set_error(const char *msg) { last_error = msg ? msg : "(no message)"; }

at::ScalarType scalar_type(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kBFloat16;
    case 2: return at::kHalf;
    case 3: return at::kLong;
    case 4: return at::kInt;
    case 5: return at::kByte;
    case 6: return at::kBool;
    case 7: return at::kDouble;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(code));
}

int dtype_code(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kBFloat16: return 1;
    case at::kHalf: return 2;
    case at::kLong: return 3;
    case at::kInt: return 4;
    case at::kByte: return 5;
    case at::kBool: return 6;
    case at::kDouble: return 7;
    default: return -1;
  }
}

at::Device device(int code) {
  if (code == -1) return at::Device(at::kCPU);
  if (code < -1) throw std::invalid_argument("unknown device code " + std::to_string(code));
  if (!torch::cuda::is_available())
    throw std::invalid_argument("cuda:" + std::to_string(code) +
                                " requested but CUDA is not available (this libtorch has no CUDA, or no GPU is visible)");
  int64_t n = static_cast<int64_t>(torch::cuda::device_count());
  if (code >= n)
    throw std::invalid_argument("cuda:" + std::to_string(code) + " is not a valid device: " + std::to_string(n) +
                                " CUDA device(s) available");
  return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(code));
}

int device_code(const at::Device &d) { return d.is_cuda() ? d.index() : -1; }

at::TensorOptions options(int dtype, int dev) {
  return at::TensorOptions().dtype(scalar_type(dtype)).device(device(dev));
}

}  // namespace jlm

extern "C" {

const char *jlm_last_error(void) { return last_error.c_str(); }

const char *jlm_header_sha256(void) { return JLM_HEADER_SHA256; }

const char *jlm_torch_version(void) { return TORCH_VERSION; }

const char *jlm_torch_library_path(void) {
  static std::string path = [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&at::get_num_threads), &info) && info.dli_fname) return std::string(info.dli_fname);
    return std::string("(unknown)");
  }();
  return path.c_str();
}

int jlm_noop(void) { return 0; }

int jlm_cuda_compiled(void) {
#ifdef JLM_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}

int jlm_cuda_is_available(void) {
  JLM_TRY { return torch::cuda::is_available() ? 1 : 0; } JLM_CATCH_RETURN(0)
}

int jlm_cuda_device_count(void) {
  JLM_TRY { return static_cast<int>(torch::cuda::device_count()); } JLM_CATCH_RETURN(0)
}

int jlm_cuda_synchronize(int dev) {
  JLM_TRY {
    if (dev >= 0) {
      jlm::device(dev);  // validates
      torch::cuda::synchronize(dev);
    }
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

int jlm_get_num_threads(void) { return at::get_num_threads(); }

int jlm_set_num_threads(int n) { JLM_DO(if (n < 1) throw std::invalid_argument("thread count must be >= 1"); at::set_num_threads(n)) }

int jlm_manual_seed(int64_t seed) { JLM_DO(torch::manual_seed(static_cast<uint64_t>(seed))) }

int jlm_get_rng_state(void *dst, int64_t capacity, int64_t *size) {
  JLM_TRY {
    auto gen = at::detail::getDefaultCPUGenerator();
    at::Tensor state;
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      state = gen.get_state();
    }
    *size = state.numel();
    if (dst != nullptr) {
      if (capacity < state.numel()) throw std::invalid_argument("rng state buffer too small");
      std::memcpy(dst, state.data_ptr(), state.numel());
    }
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

int jlm_set_rng_state(const void *src, int64_t size) {
  JLM_TRY {
    auto state = at::empty({size}, at::kByte);
    std::memcpy(state.data_ptr(), src, size);
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

int jlm_is_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }

int jlm_set_grad_enabled(int enabled) { JLM_DO(at::GradMode::set_enabled(enabled != 0)) }

int jlm_has_sdpa(void) {
#if TORCH_VERSION_MAJOR >= 2
  return 1;
#else
  return 0;
#endif
}

void jlm_free(jlm_tensor t) { delete t; }

void jlm_free_many(jlm_tensor *ts, int64_t n) {
  for (int64_t i = 0; i < n; i++) delete ts[i];
}

/* ---- metadata ---- */
int jlm_ndim(jlm_tensor t) { JLM_TRY { return static_cast<int>(jlm::unwrap(t).dim()); } JLM_CATCH_RETURN(-1) }

int jlm_shape(jlm_tensor t, int64_t *out, int capacity) {
  JLM_TRY {
    auto &x = jlm::unwrap(t);
    if (capacity < x.dim()) throw std::invalid_argument("shape buffer too small");
    for (int64_t i = 0; i < x.dim(); i++) out[i] = x.size(i);
    return 0;
  }
  JLM_CATCH_RETURN(1)
}

int jlm_dtype(jlm_tensor t) { JLM_TRY { return jlm::dtype_code(jlm::unwrap(t).scalar_type()); } JLM_CATCH_RETURN(-2) }

int jlm_device(jlm_tensor t) { JLM_TRY { return jlm::device_code(jlm::unwrap(t).device()); } JLM_CATCH_RETURN(-2) }

int64_t jlm_numel(jlm_tensor t) { JLM_TRY { return jlm::unwrap(t).numel(); } JLM_CATCH_RETURN(-1) }

int jlm_item(jlm_tensor t, double *out) { JLM_DO(*out = jlm::unwrap(t).item<double>()) }


}  // extern "C"
