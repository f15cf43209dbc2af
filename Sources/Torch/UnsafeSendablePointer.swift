/// A raw pointer handed to concurrent workers that each read or write their own part of it
/// (parallel loops over disjoint rows); the caller keeps the memory alive for the loop.
public struct UnsafeSendablePointer<T>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<T>
    public init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
