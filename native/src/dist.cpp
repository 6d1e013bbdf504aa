// dist.cpp — c10d process groups: libtorch's TCPStore rendezvous and its Gloo (CPU) / NCCL (CUDA) collectives.
// Nothing here moves bytes itself; it flattens tensors into one buffer per call and hands it to the backend.
// A heartbeat thread per rank (a counter in the store every 200 ms) lets a survivor name the rank that died.
#include <torch/version.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "boundary.hpp"

#ifdef JLM_WITH_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
// the base of the backends, included here: with no backend compiled in, nothing else brings it
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
#ifdef JLM_WITH_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef JLM_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

// libtorch 2.x moved the collectives of a backend behind c10d::Backend; 1.13's backends are ProcessGroups.
#if TORCH_VERSION_MAJOR >= 2
using PgBase = c10d::Backend;
#else
using PgBase = c10d::ProcessGroup;
#endif

struct jlm_pg_s {
  c10::intrusive_ptr<c10d::TCPStore> store;     // the server (serve_store) or a client
  c10::intrusive_ptr<c10d::PrefixStore> keys;   // the store under this job's prefix, for the backend
  c10::intrusive_ptr<c10d::PrefixStore> beats;  // a second client, used only by the heartbeat thread and missing_ranks
  c10::intrusive_ptr<PgBase> pg;
  int rank = 0, world = 1;
  bool nccl = false;                            // shut down before it is freed (its watchdog threads, its communicators)
  std::atomic<bool> stop{false};
  std::thread beat;
};

namespace {

const std::string kBeat = "jlm/beat/";

void heartbeat(jlm_pg_s *g) {
  while (!g->stop.load()) {
    try {
      g->beats->add(kBeat + std::to_string(g->rank), 1);
    } catch (...) {
      return;  // the store is gone (rank 0 exited): nothing left to beat for
    }
    for (int i = 0; i < 4 && !g->stop.load(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// One buffer holding all tensors' elements, so a list of gradients costs one collective.
at::Tensor flatten(const std::vector<at::Tensor> &ts) {
  if (ts.size() == 1 && ts[0].is_contiguous()) return ts[0].view({-1});
  std::vector<at::Tensor> flat;
  for (const auto &t : ts) {
    if (t.scalar_type() != ts[0].scalar_type() || t.device() != ts[0].device())
      throw std::invalid_argument("collective over tensors of different dtypes or devices: call once per dtype");
    flat.push_back(t.reshape({-1}));
  }
  return at::cat(flat);
}

void unflatten(const at::Tensor &flat, std::vector<at::Tensor> &ts) {
  if (ts.size() == 1 && ts[0].is_contiguous()) return;  // reduced in place
  int64_t off = 0;
  for (auto &t : ts) {
    t.copy_(flat.narrow(0, off, t.numel()).view(t.sizes()));
    off += t.numel();
  }
}

std::vector<at::Tensor> tensors(jlm_tensor *ts, int n) {
  if (n <= 0 || ts == nullptr) throw std::invalid_argument("a collective needs at least one tensor");
  std::vector<at::Tensor> out;
  for (int i = 0; i < n; i++) out.push_back(jlm::unwrap(ts[i]));
  return out;
}

jlm_pg_s &group(jlm_pg pg) {
  if (pg == nullptr) throw std::invalid_argument("null process group handle");
  return *pg;
}

}  // namespace

extern "C" {

int jlm_pg_has_backend(int backend) {
#ifdef JLM_WITH_GLOO
  if (backend == JLM_BACKEND_GLOO) return 1;
#endif
#ifdef JLM_WITH_NCCL
  if (backend == JLM_BACKEND_NCCL) return 1;
#endif
  return 0;
}

jlm_pg jlm_pg_new(int backend, const char *host, int port, int serve_store, const char *store_prefix, int rank, int world_size,
                  const char *bind_host, const char *ifname, int64_t timeout_ms) {
  JLM_TRY {
    if (host == nullptr || bind_host == nullptr || store_prefix == nullptr) throw std::invalid_argument("null host or prefix");
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw std::invalid_argument("rank " + std::to_string(rank) + " is outside world size " + std::to_string(world_size));
    bool agent_store = serve_store < 0;  // a launcher serves it: connect, check in nowhere
    if (agent_store) serve_store = 0;
    if (port < 1 || port > 65535) throw std::invalid_argument("port " + std::to_string(port) + " is outside 1..65535");
    if (timeout_ms <= 0) throw std::invalid_argument("timeout must be positive");
    auto timeout = std::chrono::milliseconds(timeout_ms);
    auto g = std::make_unique<jlm_pg_s>();
    g->rank = rank;
    g->world = world_size;
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(port);
    so.isServer = serve_store != 0;
    so.numWorkers = world_size;  // each rank checks in; the server (rank 0) waits for all of them
    so.waitWorkers = true;
    so.timeout = timeout;
    if (agent_store) {
      so.numWorkers = c10::nullopt;
      so.waitWorkers = false;
    }
    g->store = c10::make_intrusive<c10d::TCPStore>(host, so);
    g->keys = c10::make_intrusive<c10d::PrefixStore>(store_prefix, g->store);
    // Two mistakes that would otherwise hang the rendezvous until the timeout: disagreeing world sizes, a rank twice.
    std::string ws = std::to_string(world_size);
    if (rank == 0) g->keys->set("jlm/world_size", std::vector<uint8_t>(ws.begin(), ws.end()));
    auto theirs = g->keys->get("jlm/world_size");
    std::string rank0(theirs.begin(), theirs.end());
    if (rank0 != ws)
      throw std::invalid_argument("WORLD_SIZE is " + ws + " here but rank 0 started with " + rank0 + ": start every rank with the same WORLD_SIZE");
    if (g->keys->add("jlm/rank/" + std::to_string(rank), 1) > 1)
      throw std::invalid_argument("another process already joined as RANK " + std::to_string(rank) + ": give every process its own RANK");
    c10d::TCPStoreOptions bo;
    bo.port = static_cast<uint16_t>(port);
    bo.waitWorkers = false;
    bo.timeout = std::chrono::milliseconds(2000);
    g->beats = c10::make_intrusive<c10d::PrefixStore>(store_prefix, c10::make_intrusive<c10d::TCPStore>(host, bo));
    if (backend == JLM_BACKEND_GLOO) {
#ifdef JLM_WITH_GLOO
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      std::string iface = ifname ? ifname : "";
      opts->devices.push_back(iface.empty() ? c10d::ProcessGroupGloo::createDeviceForHostname(bind_host)
                                            : c10d::ProcessGroupGloo::createDeviceForInterface(iface));
      g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(g->keys, rank, world_size, opts);
#else
      throw std::invalid_argument("this jlm shim was built without the gloo backend (install libgloo-dev and rebuild: scripts/build-native)");
#endif
    } else if (backend == JLM_BACKEND_NCCL) {
#ifdef JLM_WITH_NCCL
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      g->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->keys, rank, world_size, opts);
      g->nccl = true;
#else
      throw std::invalid_argument("this jlm shim was built without the nccl backend (a CUDA libtorch and nccl.h are needed at build time)");
#endif
    } else {
      throw std::invalid_argument("unknown backend code " + std::to_string(backend));
    }
    g->beat = std::thread(heartbeat, g.get());
    return g.release();
  }
  JLM_CATCH_RETURN(nullptr)
}

void jlm_pg_free(jlm_pg pg) {
  if (pg == nullptr) return;
  try {
    pg->stop.store(true);
    if (pg->beat.joinable()) pg->beat.join();
#if defined(JLM_WITH_NCCL) && JLM_TORCH_AT_LEAST(2, 3)
    // as destroy_process_group: a NCCL group freed without shutdown() leaves its communicators to the destructor,
    // which warns and may hang at process exit
    if (pg->nccl && pg->pg) {
      try {
        c10::static_intrusive_pointer_cast<c10d::ProcessGroupNCCL>(pg->pg)->shutdown();
      } catch (...) {
      }
    }
#endif
    delete pg;
  } catch (...) {
  }
}

int jlm_pg_all_reduce(jlm_pg pg, jlm_tensor *ts, int n, int average) {
  JLM_DO({
    auto &g = group(pg);
    at::NoGradGuard ng;
    auto list = tensors(ts, n);
    std::vector<at::Tensor> flat{flatten(list)};
    g.pg->allreduce(flat)->wait();
    if (average) flat[0].div_(g.world);
    unflatten(flat[0], list);
  })
}

int jlm_pg_broadcast(jlm_pg pg, jlm_tensor *ts, int n, int root) {
  JLM_DO({
    auto &g = group(pg);
    if (root < 0 || root >= g.world) throw std::invalid_argument("broadcast root " + std::to_string(root) + " is not a rank");
    at::NoGradGuard ng;
    auto list = tensors(ts, n);
    std::vector<at::Tensor> flat{flatten(list)};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    g.pg->broadcast(flat, o)->wait();
    unflatten(flat[0], list);
  })
}

int jlm_pg_barrier(jlm_pg pg) {
  JLM_DO({ group(pg).pg->barrier()->wait(); })
}

int jlm_pg_missing_ranks(jlm_pg pg, int64_t wait_ms, int64_t *out, int capacity, int *count) {
  JLM_DO({
    auto &g = group(pg);
    if (count == nullptr || (capacity > 0 && out == nullptr)) throw std::invalid_argument("null output");
    std::vector<int64_t> missing;
    try {
      std::vector<int64_t> before(g.world);
      for (int r = 0; r < g.world; r++) before[r] = g.beats->add(kBeat + std::to_string(r), 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      for (int r = 0; r < g.world; r++)
        if (r != g.rank && g.beats->add(kBeat + std::to_string(r), 0) == before[r]) missing.push_back(r);
    } catch (...) {
      missing.assign(1, 0);  // the store lives in rank 0: unreachable means rank 0 is gone
    }
    *count = static_cast<int>(missing.size());
    for (int i = 0; i < std::min(capacity, *count); i++) out[i] = missing[i];
  })
}

}  // extern "C"

#else  // built without c10d headers

extern "C" {
int jlm_pg_has_backend(int) { return 0; }
jlm_pg jlm_pg_new(int, const char *, int, int, const char *, int, int, const char *, const char *, int64_t) {
  jlm::set_error("this jlm shim was built without c10d (the libtorch's distributed headers were not found)");
  return nullptr;
}
void jlm_pg_free(jlm_pg) {}
int jlm_pg_all_reduce(jlm_pg, jlm_tensor *, int, int) { jlm::set_error("built without c10d"); return 1; }
int jlm_pg_broadcast(jlm_pg, jlm_tensor *, int, int) { jlm::set_error("built without c10d"); return 1; }
int jlm_pg_barrier(jlm_pg) { jlm::set_error("built without c10d"); return 1; }
int jlm_pg_missing_ranks(jlm_pg, int64_t, int64_t *, int, int *) { jlm::set_error("built without c10d"); return 1; }
}

#endif
