import Foundation

/// 2-D convolution, `torch.nn.Conv2d` (weights [out, in/groups, kh, kw], PyTorch's default init).
public final class Conv2d: Layer {
    @Parameter public var weight: Tensor
    @OptionalParameter public var bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = false) throws {
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError.invalidArgument("Conv2d: channels \(inChannels)->\(outChannels) not divisible by groups \(groups)")
        }
        let w = try Tensor.empty([outChannels, inChannels / groups, kernel, kernel])
        try w.kaimingUniform_(a: 5.0.squareRoot(), relu: false)
        weight = w
        let fanIn = Double(inChannels / groups * kernel * kernel)
        if bias {
            let b = try Tensor.empty([outChannels])
            try b.uniform_(-1 / fanIn.squareRoot(), 1 / fanIn.squareRoot())
            self.bias = b
        } else {
            self.bias = nil
        }
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.dilation = (dilation, dilation)
        self.groups = groups
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try F.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
