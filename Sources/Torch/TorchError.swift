import CTorch

/// Every failure below the ReID layer surfaces as one of these, with a message a user can act on.
public enum TorchError: Error, CustomStringConvertible, Equatable {
    /// libtorch rejected an operation (bad shapes, dtypes, devices...); carries libtorch's message.
    case libtorch(String)
    /// A file could not be read or parsed.
    case file(path: String, reason: String)
    /// Weights and model disagree: names missing, unexpected, or of another shape.
    case stateDictMismatch(source: String, problems: [String], total: Int)
    /// Anything else a caller passed that cannot work.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .libtorch(let message):
            return "libtorch: \(message)"
        case .file(let path, let reason):
            return "\(path): \(reason)"
        case .stateDictMismatch(let source, let problems, let total):
            let shown = problems.map { "  - \($0)" }.joined(separator: "\n")
            let more = total > problems.count ? "\n  … and \(total - problems.count) more" : ""
            return "\(source): the weights do not fit the model (\(total) mismatch\(total == 1 ? "" : "es")):\n"
                + shown + more
                + "\n  Check that --model names the architecture these weights were trained with."
        case .invalidArgument(let message):
            return message
        }
    }
}

/// The last libtorch error on this thread, as a Swift error.
@inline(__always)
func lastError() -> TorchError {
    .libtorch(String(cString: ct_last_error()))
}

/// Turns a C result into a Tensor, or throws libtorch's message.
@inline(__always)
func wrap(_ handle: OpaquePointer?) throws -> Tensor {
    guard let handle else { throw lastError() }
    return Tensor(handle: handle)
}

/// Checks a C status code (0 success, -1 failure).
@inline(__always)
func check(_ status: Int32) throws {
    if status != 0 { throw lastError() }
}
