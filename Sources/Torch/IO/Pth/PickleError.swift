/// A pickle the reader cannot make sense of, with the byte offset of the opcode at fault.
public struct PickleError: Error, CustomStringConvertible, Equatable {
    /// Offset of the failing opcode in the pickle's bytes (nil before it is known).
    public var offset: Int?
    public var message: String

    public init(offset: Int? = nil, _ message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String {
        offset.map { "malformed pickle at byte \($0): \(message)" } ?? "malformed pickle: \(message)"
    }
}
