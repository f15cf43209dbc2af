import CTorch
import Foundation

/// Makes OpenBLAS, the BLAS under Debian's libtorch and faiss, use the kernels this CPU can run.
///
/// Why: OpenBLAS picks its kernels once, when it is loaded, from the CPU model it knows. Debian 12's
/// OpenBLAS 0.3.21 does not know newer CPUs and falls back to its oldest kernels: on an Intel Xeon
/// with AVX-512 (Sapphire Rapids generation) it chose "Prescott" (SSE3), and a 1024×512·512×19281
/// matrix product ran at 18–30 GFLOPS on one core against 116–145 with its SkylakeX kernels
/// (measured 2026-12-08, torch and numpy alike). Every float matrix product in libtorch (linear
/// layers, distance matrices) and faiss's exact kNN goes through it.
///
/// The choice can only be changed before OpenBLAS loads, through `OPENBLAS_CORETYPE`, so a program
/// that finds the wrong kernels sets it and starts itself again (`exec`, same process id, same
/// arguments). The rule is the one newer OpenBLAS releases apply themselves: a CPU with AVX-512
/// F/BW/DQ/VL gets SkylakeX, one with AVX2 and FMA gets Haswell, unless the kernels chosen are
/// already at least that wide. Nothing happens when `OPENBLAS_CORETYPE` is set by the user, when
/// the BLAS is not OpenBLAS, or with `REID_KEEP_BLAS_KERNELS=1`.
public enum BLASKernels {
    /// The kernel set OpenBLAS chose (nil when the BLAS is not OpenBLAS).
    public static var current: String? { ct_blas_core_name().map { String(cString: $0) } }

    /// The widest vector ISA this CPU offers BLAS kernels: 2 AVX-512 (F/BW/DQ/VL), 1 AVX2 + FMA, 0 older.
    public static var cpuVectorLevel: Int { Int(ct_cpu_vector_level()) }

    /// The kernels a `reid` process runs with after `relaunchWithWidestKernelsIfNeeded`.
    public static var expected: String? {
        guard let current else { return nil }
        return replacement(current: current, vectorLevel: cpuVectorLevel) ?? current
    }

    static let avx512Kernels: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    static let avx2Kernels: Set<String> = avx512Kernels.union(["haswell", "zen", "skylake"])

    /// The kernel set to force for a CPU of `vectorLevel` (`ct_cpu_vector_level`) when OpenBLAS
    /// chose `current`, or nil when its choice is already as wide as the CPU allows.
    public static func replacement(current: String, vectorLevel: Int) -> String? {
        let name = current.lowercased()
        switch vectorLevel {
        case 2 where !avx512Kernels.contains(name): return "SkylakeX"
        case 1 where !avx2Kernels.contains(name): return "Haswell"
        default: return nil
        }
    }

    /// Restarts this program with `OPENBLAS_CORETYPE` set when OpenBLAS chose kernels narrower than
    /// the CPU's; returns (doing nothing) otherwise, or if the restart fails. Call first thing in
    /// `main`, before any thread starts.
    public static func relaunchWithWidestKernelsIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["REID_KEEP_BLAS_KERNELS"] != "1",
              let current, let wanted = replacement(current: current, vectorLevel: cpuVectorLevel)
        else { return }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on with the slower kernels.
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// Runs `body` with OpenBLAS on one thread, for code that runs its own threads, each calling
    /// BLAS: OpenBLAS's worker threads spin after each call and fight libtorch's OpenMP threads and
    /// the caller's for the cores (the IVF kNN over 100,000 features took 24.5 s with both pools
    /// spinning, 12.8 s with OpenBLAS on one thread).
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        let previous = ct_blas_set_threads(1)
        defer { if previous > 0 { _ = ct_blas_set_threads(previous) } }
        return try body()
    }
}
