import CTorch

/// Floating-point precision of the heavy work (convolutions and matrix products).
///
/// `bf16` runs them through libtorch's CPU autocast (what `torch.autocast("cpu", torch.bfloat16)`
/// does): libtorch picks, op by op, which run in bfloat16 and which stay in float32, and oneDNN
/// runs the bfloat16 ones with the CPU's AVX-512 BF16 or AMX instructions. Weights, gradients and
/// optimiser state stay float32.
public enum Precision: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case fp32
    case bf16

    public var description: String { rawValue }

    /// Whether oneDNN runs bfloat16 natively here (AVX-512 BF16 or AMX). Without it, libtorch
    /// would emulate bfloat16 on wider instructions, slower than float32.
    public static var cpuHasNativeBF16: Bool { ct_cpu_has_native_bf16() != 0 }

    /// The precision to run at on `device`: `bf16` falls back to `fp32` where the CPU lacks native
    /// bfloat16, with the reason in `note`.
    public func resolved(on device: Device = .cpu) -> (precision: Precision, note: String?) {
        guard self == .bf16 else { return (self, nil) }
        if device.kind == .cuda {
            return (.fp32, "--precision bf16 is for the CPU's autocast here; running float32 on \(device)")
        }
        guard Precision.cpuHasNativeBF16 else {
            return (.fp32, "this CPU has no native bfloat16 (AVX-512 BF16 or AMX); running float32")
        }
        return (self, nil)
    }

    /// Runs `body` with CPU autocast at this precision on this thread (`fp32`: as it is).
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        guard self == .bf16 else { return try body() }
        var enabled: Int32 = 0, dtype: Int32 = 0
        ct_autocast_cpu_enter(DType.bfloat16.rawValue, &enabled, &dtype)
        defer { ct_autocast_cpu_exit(enabled, dtype) }
        return try body()
    }

    /// Whether CPU autocast is on for this thread.
    public static var autocastIsOn: Bool { ct_autocast_cpu_enabled() != 0 }
}
