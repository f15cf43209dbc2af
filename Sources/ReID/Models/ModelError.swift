/// Problems building a model that a user can fix by changing a name or an option.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// `--model` names no registered backbone.
    case unknownBackbone(name: String, known: [String])

    public var description: String {
        switch self {
        case .unknownBackbone(let name, let known):
            return "unknown model \"\(name)\"; known models: \(known.joined(separator: ", ")), "
                + "or onnx:<path to .onnx file>"
        }
    }
}
