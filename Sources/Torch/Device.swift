import CTorch

/// Where a tensor lives. `.cpu` always works; `.cuda` needs a CUDA build of libtorch
/// (Debian's is CPU-only), which `Device.isCUDAAvailable` reports.
public struct Device: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Int32, Sendable { case cpu = 0, cuda = 1 }
    public let kind: Kind
    public let index: Int

    public static let cpu = Device(kind: .cpu, index: -1)
    public static let cuda = Device(kind: .cuda, index: 0)
    public static func cuda(_ index: Int) -> Device { Device(kind: .cuda, index: index) }

    public static var isCUDAAvailable: Bool { ct_cuda_is_available() != 0 }
    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }

    /// CUDA when libtorch has it, else CPU.
    public static var best: Device { isCUDAAvailable ? .cuda : .cpu }

    /// Parses "cpu", "cuda", "cuda:1" or "auto".
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "cpu": self = .cpu
        case "cuda", "gpu": self = .cuda
        case "auto": self = .best
        default:
            if text.lowercased().hasPrefix("cuda:"), let i = Int(text.dropFirst(5)) {
                self = .cuda(i)
            } else {
                throw TorchError.invalidArgument("unknown device '\(text)': use cpu, cuda, cuda:N or auto")
            }
        }
        if kind == .cuda && !Device.isCUDAAvailable {
            throw TorchError.invalidArgument(
                "device '\(text)' asked for, but this libtorch has no CUDA support; use --device cpu")
        }
    }

    init(kind: Kind, index: Int) {
        self.kind = kind
        self.index = index
    }

    public var description: String { kind == .cpu ? "cpu" : "cuda:\(index)" }
    var cIndex: Int32 { Int32(max(index, 0)) }
}
