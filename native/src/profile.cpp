// profile.cpp — libtorch's own (legacy autograd) profiler on the CPU, and named ranges that enclose the operators
// run inside them. The raw events go to a file; jlm's Java side turns them into tables.
#include <torch/version.h>

#include <fstream>
#include <memory>
#include <vector>

#include "boundary.hpp"

#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define JLM_HAS_PROFILER 1
#endif

namespace {
thread_local std::vector<std::unique_ptr<at::RecordFunction>> ranges;  // this thread's open jlm_range_push
}

extern "C" {

int jlm_profiler_start(int with_flops, int with_gpu) {
  JLM_DO({
#ifdef JLM_HAS_PROFILER
    // FLOPs of the matrix products need their input shapes recorded (report_input_shapes), which costs time: on request only.
    // The CUDA state records a CUDA event at every push and pop, so a range's GPU time is the stream's time between them.
    auto state = with_gpu != 0 ? torch::profiler::impl::ProfilerState::CUDA : torch::profiler::impl::ProfilerState::CPU;
    torch::autograd::profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(
        state, /*report_input_shapes=*/with_flops != 0, /*profile_memory=*/false,
        /*with_stack=*/false, /*with_flops=*/with_flops != 0));
#else
    throw std::runtime_error("this libtorch has no legacy autograd profiler (torch/csrc/autograd/profiler_legacy.h)");
#endif
  })
}

int jlm_profiler_stop(const char *path) {
  JLM_DO({
#ifdef JLM_HAS_PROFILER
    if (path == nullptr) throw std::invalid_argument("null path");
    auto lists = torch::autograd::profiler::disableProfilerLegacy();
    std::ofstream out(path);
    if (!out) throw std::runtime_error(std::string("cannot write ") + path);
    const torch::autograd::profiler::LegacyEvent *first_gpu = nullptr;   // the zero of gpu_ns
    for (auto &list : lists)
      for (auto &e : list)
        if (first_gpu == nullptr && e.hasCuda()) first_gpu = &e;
    for (auto &list : lists)
      for (auto &e : list) {
        auto k = e.kind();
        if (k != torch::autograd::profiler::EventKind::PushRange && k != torch::autograd::profiler::EventKind::PopRange) continue;
        int64_t gpu_ns = -1;
        if (first_gpu != nullptr && e.hasCuda() && e.device() == first_gpu->device())
          gpu_ns = static_cast<int64_t>(first_gpu->cudaElapsedUs(e) * 1000.0);
        out << (k == torch::autograd::profiler::EventKind::PushRange ? "push" : "pop") << '\t' << e.threadId() << '\t' << e.handle()
            << '\t' << static_cast<int64_t>(e.cpuUs() * 1000.0) << '\t' << e.sequenceNr() << '\t' << e.flops() << '\t' << gpu_ns
            << '\t' << e.name() << '\n';
      }
    if (!out) throw std::runtime_error(std::string("write failed: ") + path);
#else
    throw std::runtime_error("this libtorch has no legacy autograd profiler");
#endif
  })
}

int jlm_range_push(const char *name) {
  JLM_DO({
    if (name == nullptr) throw std::invalid_argument("null range name");
    auto rf = std::make_unique<at::RecordFunction>(at::RecordScope::USER_SCOPE);
    if (rf->isActive()) rf->before(std::string(name));
    ranges.push_back(std::move(rf));
  })
}

int jlm_range_pop(void) {
  JLM_DO({
    if (ranges.empty()) throw std::logic_error("jlm_range_pop without a matching jlm_range_push");
    ranges.back()->end();
    ranges.pop_back();
  })
}

}  // extern "C"
