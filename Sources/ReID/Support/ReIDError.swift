/// Errors of the re-ID layer. Each names the file or folder at fault and says what to do.
public enum ReIDError: Error, CustomStringConvertible, Equatable {
    case data(path: String, reason: String)
    case model(String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .data(let path, let reason): return "\(path): \(reason)"
        case .model(let message): return message
        case .invalidOption(let message): return message
        }
    }
}
