/// Instance normalisation, `torch.nn.InstanceNorm2d` (IBN-Net uses it with `affine: true`).
public final class InstanceNorm2d: Layer {
    @OptionalParameter public var weight: Tensor?
    @OptionalParameter public var bias: Tensor?
    public let eps: Double

    public init(_ features: Int, eps: Double = 1e-5, affine: Bool = true) throws {
        weight = affine ? try Tensor.ones([features]) : nil
        bias = affine ? try Tensor.zeros([features]) : nil
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try F.instanceNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
