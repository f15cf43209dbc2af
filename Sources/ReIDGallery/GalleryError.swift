import Foundation

/// What goes wrong with a gallery, phrased for the person at the keyboard: which file and what to do.
public enum GalleryError: Error, CustomStringConvertible, Equatable {
    /// A file or database that cannot be used.
    case file(String, String)
    /// The query model is not the model the gallery was indexed with.
    case modelMismatch(String)
    /// An image that cannot be decoded (an upload, a query file).
    case notAnImage(String)
    /// A request or option that cannot be served (unknown id, bad top-k…).
    case invalid(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .file(let path, let reason): return "\(path): \(reason)"
        case .modelMismatch(let message), .notAnImage(let message), .invalid(let message), .notFound(let message):
            return message
        }
    }
}
