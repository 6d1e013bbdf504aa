// graph.cpp — CUDA graphs: a training step captured once (forward, backward, clipping, AdamW) and replayed, so the
// host launches one graph a step instead of its hundreds of kernels one by one. Compiled in where the libtorch has
// CUDA (JLM_WITH_CUDA); elsewhere each function fails with a one-line reason.
#include "boundary.hpp"

#ifdef JLM_WITH_CUDA
#include <optional>

#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

// A capturable step needs AdamW with the learning rate as a tensor (at::_fused_adamw_'s tensor_lr overload, 2.3+):
// with a host lr the optimizer would read it back, which a capture forbids.
#define JLM_CAN_CAPTURE_STEP JLM_TORCH_AT_LEAST(2, 3)

struct jlm_graph_s {
  explicit jlm_graph_s(c10::DeviceIndex d)
      : device(d), side(c10::cuda::getStreamFromPool(false, d)), outer(c10::cuda::getCurrentCUDAStream(d)) {}
  c10::DeviceIndex device;
  c10::cuda::CUDAStream side;    // where warm-up and capture run
  c10::cuda::CUDAStream outer;   // the stream that was current when the side stream was entered
  at::cuda::CUDAGraph graph;
  bool on_side = false, capturing = false;
};

namespace {

// `to` waits for the work queued on `from` so far (no host wait).
void wait(const c10::cuda::CUDAStream &from, const c10::cuda::CUDAStream &to) {
  at::cuda::CUDAEvent done;
  done.record(from);
  done.block(to);
}

void enter(jlm_graph g) {
  if (g->on_side) return;
  g->outer = c10::cuda::getCurrentCUDAStream(g->device);
  wait(g->outer, g->side);
  c10::cuda::setCurrentCUDAStream(g->side);
  g->on_side = true;
}

void leave(jlm_graph g) {
  if (!g->on_side) return;
  c10::cuda::setCurrentCUDAStream(g->outer);
  wait(g->side, g->outer);
  g->on_side = false;
}

jlm_graph checked(jlm_graph g) {
  if (g == nullptr) throw std::invalid_argument("null graph handle");
  return g;
}

}  // namespace

extern "C" {

int jlm_cuda_graphs(void) { return JLM_CAN_CAPTURE_STEP ? 1 : 0; }

jlm_graph jlm_graph_new(int device) {
  JLM_TRY {
    if (!JLM_CAN_CAPTURE_STEP)
      throw std::invalid_argument("CUDA graphs need libtorch 2.3 or newer (AdamW with a device learning rate); this is " TORCH_VERSION);
    auto d = jlm::device(device);
    if (!d.is_cuda()) throw std::invalid_argument("CUDA graphs need a CUDA device");
    c10::cuda::CUDAGuard guard(d.index());
    return new jlm_graph_s(d.index());
  }
  JLM_CATCH_RETURN(nullptr)
}

// Every function that works on a graph first makes its device current (CUDAGuard): streams, events, capture and replay
// all act on the current device, which is cuda:0 unless someone set it.
int jlm_graph_side_stream(jlm_graph g, int on) {
  JLM_DO({
    c10::cuda::CUDAGuard guard(checked(g)->device);
    on ? enter(g) : leave(g);
  })
}

int jlm_graph_capture_begin(jlm_graph g) {
  JLM_DO({
    c10::cuda::CUDAGuard guard(checked(g)->device);
    if (g->capturing) throw std::invalid_argument("this graph is already capturing");
    // as torch.cuda.graph: nothing from before is still running, and the cached blocks go back to the driver, so the
    // capture's private pool can grow without an out-of-memory error, which inside a capture would be fatal
    c10::cuda::device_synchronize();
    c10::cuda::CUDACachingAllocator::emptyCache();
    enter(g);
    g->graph.capture_begin();
    g->capturing = true;
  })
}

int jlm_graph_capture_end(jlm_graph g) {
  JLM_DO({
    c10::cuda::CUDAGuard guard(checked(g)->device);
    if (!g->capturing) throw std::invalid_argument("this graph is not capturing");
    g->capturing = false;
    try {
      g->graph.capture_end();
    } catch (...) {
      leave(g);
      throw;
    }
    leave(g);
  })
}

int jlm_graph_replay(jlm_graph g) {
  JLM_DO({
    c10::cuda::CUDAGuard guard(checked(g)->device);
    if (g->capturing) throw std::invalid_argument("replay of a graph still capturing");
    g->graph.replay();
  })
}

void jlm_graph_free(jlm_graph g) {
  if (g == nullptr) return;
  std::optional<c10::cuda::CUDAGuard> guard;
  try {
    guard.emplace(g->device);
  } catch (...) {
  }
  try {
    if (g->capturing) g->graph.capture_end();   // ends (and discards) an unfinished capture
  } catch (...) {
  }
  try {
    leave(g);
  } catch (...) {
  }
  try {
    delete g;
  } catch (...) {
  }
}

}  // extern "C"

#else  // no CUDA in this libtorch

struct jlm_graph_s {};

extern "C" {

int jlm_cuda_graphs(void) { return 0; }

jlm_graph jlm_graph_new(int device) {
  (void)device;
  jlm::set_error("CUDA graphs need a libtorch with CUDA; this shim was built against one without");
  return nullptr;
}

int jlm_graph_side_stream(jlm_graph g, int on) {
  jlm::set_error("no CUDA graphs in this shim");
  return 1;
}

int jlm_graph_capture_begin(jlm_graph g) {
  jlm::set_error("no CUDA graphs in this shim");
  return 1;
}

int jlm_graph_capture_end(jlm_graph g) {
  jlm::set_error("no CUDA graphs in this shim");
  return 1;
}

int jlm_graph_replay(jlm_graph g) {
  jlm::set_error("no CUDA graphs in this shim");
  return 1;
}

void jlm_graph_free(jlm_graph g) { (void)g; }

}  // extern "C"

#endif
