// Threads, CPU features and the kernel ISA: kerasette.config's native half.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "kerasette/cpu.h"

namespace py = pybind11;
namespace ks {

void bind_config(py::module_& m) {
  m.def(
      "cpu_features",
      [] {
        const CpuFeatures& f = cpu_features();
        py::dict d;
        d["avx2"] = f.avx2;
        d["fma"] = f.fma;
        d["avx512f"] = f.avx512f;
        d["avx512dq"] = f.avx512dq;
        d["avx512bw"] = f.avx512bw;
        d["avx512vl"] = f.avx512vl;
        d["os_avx"] = f.os_avx;
        d["os_avx512"] = f.os_avx512;
        std::vector<std::string> ok;
        for (Isa i : {Isa::generic, Isa::avx2, Isa::avx512})
          if (isa_supported(i)) ok.emplace_back(isa_name(i));
        d["supported_isas"] = ok;
        d["isa"] = isa_name(active_isa());
        return d;
      },
      "CPU features found (CPUID + OS support), the supported kernel paths and the one in use.");

  m.def(
      "set_isa",
      [](const std::string& name) {
        for (Isa i : {Isa::generic, Isa::avx2, Isa::avx512}) {
          if (name != isa_name(i)) continue;
          if (!isa_supported(i))
            throw py::value_error("set_isa: '" + name + "' is not supported by this CPU/OS");
          set_active_isa(i);
          return;
        }
        throw py::value_error("set_isa expects one of 'generic', 'avx2', 'avx512', got '" + name +
                              "'");
      },
      py::arg("name"), "Forces the kernel path (tests use it to run each ISA).");

  m.def("get_num_threads", &get_num_threads, "Threads the kernels use.");
  m.def(
      "set_num_threads",
      [](int n) {
        if (n < 1)
          throw py::value_error("set_num_threads expects a positive int, got " + std::to_string(n));
        set_num_threads(n);
      },
      py::arg("n"), "Sets the thread count for the kernels (OpenMP).");
}

}  // namespace ks
