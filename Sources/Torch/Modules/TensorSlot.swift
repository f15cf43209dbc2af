/// Storage for one named tensor of a module. `@Parameter`, `@OptionalParameter` and `@Buffer`
/// are the kinds; all are classes so that loading weights or moving devices can replace the
/// tensor in place. A nil `tensor` (an absent bias) is skipped everywhere.
public protocol TensorSlot: AnyObject {
    var tensor: Tensor? { get set }
    /// A name that differs from the Swift property's (e.g. "running_mean" for `runningMean`).
    var name: String? { get }
    var isBuffer: Bool { get }
}

/// A learnable tensor: created with `requiresGrad = true` and handed to optimisers.
@propertyWrapper
public final class Parameter: TensorSlot {
    public var wrappedValue: Tensor
    public let name: String?
    public var isBuffer: Bool { false }
    public var tensor: Tensor? {
        get { wrappedValue }
        set { if let newValue { wrappedValue = newValue } }
    }

    public init(wrappedValue: Tensor, _ name: String? = nil) {
        wrappedValue.requiresGrad = wrappedValue.dtype.isFloatingPoint
        self.wrappedValue = wrappedValue
        self.name = name
    }
}

/// A learnable tensor that a layer may not have (a bias switched off, a non-affine norm).
@propertyWrapper
public final class OptionalParameter: TensorSlot {
    /// Swift starts optional wrapped properties at nil and assigns later through this setter,
    /// so the first tensor assigned is marked trainable here.
    public var wrappedValue: Tensor? {
        didSet {
            if oldValue == nil, let t = wrappedValue { t.requiresGrad = t.dtype.isFloatingPoint }
        }
    }
    public let name: String?
    public var isBuffer: Bool { false }
    public var tensor: Tensor? {
        get { wrappedValue }
        set { wrappedValue = newValue }
    }

    public init(wrappedValue: Tensor?, _ name: String? = nil) {
        if let t = wrappedValue { t.requiresGrad = t.dtype.isFloatingPoint }
        self.wrappedValue = wrappedValue
        self.name = name
    }
}

/// State that is saved and loaded but not learned (running statistics, counters).
@propertyWrapper
public final class Buffer: TensorSlot {
    public var wrappedValue: Tensor
    public let name: String?
    public var isBuffer: Bool { true }
    public var tensor: Tensor? {
        get { wrappedValue }
        set { if let newValue { wrappedValue = newValue } }
    }

    public init(wrappedValue: Tensor, _ name: String? = nil) {
        self.wrappedValue = wrappedValue
        self.name = name
    }
}
