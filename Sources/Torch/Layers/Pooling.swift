/// `torch.nn.MaxPool2d`.
public final class MaxPool2d: Layer {
    let kernel: Int, stride: Int, padding: Int, ceilMode: Bool
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.ceilMode = ceilMode
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try F.maxPool2d(x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding), ceilMode: ceilMode)
    }
}

/// `torch.nn.AvgPool2d`.
public final class AvgPool2d: Layer {
    let kernel: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try F.avgPool2d(x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding),
                        ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// `torch.nn.AdaptiveAvgPool2d`.
public final class AdaptiveAvgPool2d: Layer {
    let size: (Int, Int)
    public init(_ height: Int, _ width: Int) { size = (height, width) }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try F.adaptiveAvgPool2d(x, size) }
}

/// `torch.nn.AdaptiveMaxPool2d`.
public final class AdaptiveMaxPool2d: Layer {
    let size: (Int, Int)
    public init(_ height: Int, _ width: Int) { size = (height, width) }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try F.adaptiveMaxPool2d(x, size) }
}

/// Generalised-mean pooling: (mean over H×W of x^p)^(1/p), p learnable (fast-reid's GeM, p = 3).
/// p → 1 is average pooling and p → ∞ max pooling.
public final class GeMPool2d: Layer {
    @Parameter public var p: Tensor
    public let eps: Double

    public init(p: Double = 3, eps: Double = 1e-6, learnable: Bool = true) throws {
        let value = try Tensor.full([1], p)
        self.p = value
        self.eps = eps
        self.p.requiresGrad = learnable
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let powered = try x.clamp(min: eps).pow(p)
        return try F.adaptiveAvgPool2d(powered, (1, 1)).pow(p.reciprocal())
    }
}
