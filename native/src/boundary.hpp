// boundary.hpp — internal to the shim: handle wrapping, the thread-local last error, and the
// JLM_TRY / JLM_CATCH_RETURN pair that every exported function body is wrapped in, so that no C++
// exception ever reaches the JVM.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>
#include <string>
#include <vector>

#include "jlm.h"

struct jlm_tensor_s {
  at::Tensor t;
};

namespace jlm {

void set_error(const char *msg);

inline jlm_tensor wrap(at::Tensor t) { return new jlm_tensor_s{std::move(t)}; }

inline at::Tensor &unwrap(jlm_tensor h) {
  if (h == nullptr) throw std::invalid_argument("null tensor handle");
  return h->t;
}

inline std::vector<int64_t> dims(const int64_t *p, int n) {
  if (n < 0) throw std::invalid_argument("negative dimension count");
  if (n > 0 && p == nullptr) throw std::invalid_argument("null dims array");
  return std::vector<int64_t>(p, p + n);
}

/** The tensors of a handle array of n (n > 0). */
inline std::vector<at::Tensor> tensors(jlm_tensor *ts, int n) {
  if (n <= 0 || ts == nullptr) throw std::invalid_argument("expected a non-empty list of tensors");
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; i++) out.push_back(unwrap(ts[i]));
  return out;
}

at::ScalarType scalar_type(int code);
int dtype_code(at::ScalarType t);
at::Device device(int code);
int device_code(const at::Device &d);
at::TensorOptions options(int dtype, int device);

}  // namespace jlm

// libtorch's version, as one number to compare: 2.3 → 203
#define JLM_TORCH_AT_LEAST(major, minor) (TORCH_VERSION_MAJOR * 100 + TORCH_VERSION_MINOR >= (major) * 100 + (minor))

#define JLM_TRY try
#define JLM_CATCH_RETURN(value)                                            \
  catch (const c10::Error &e) {                                            \
    jlm::set_error(e.what_without_backtrace());                            \
    return value;                                                          \
  }                                                                        \
  catch (const std::exception &e) {                                        \
    jlm::set_error(e.what());                                              \
    return value;                                                          \
  }                                                                        \
  catch (...) {                                                            \
    jlm::set_error("unknown C++ exception");                               \
    return value;                                                          \
  }

// One-line bodies: a new tensor, or a status.
#define JLM_NEW(expr) JLM_TRY { return jlm::wrap(expr); } JLM_CATCH_RETURN(nullptr)
#define JLM_DO(stmt) JLM_TRY { stmt; return 0; } JLM_CATCH_RETURN(1)
