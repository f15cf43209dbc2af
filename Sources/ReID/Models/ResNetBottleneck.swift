import Torch

/// The ResNet-50 residual block as torchvision v1.5 builds it: 1×1 reduce, 3×3 (carrying the
/// stride), 1×1 expand ×4, each followed by batch norm, plus an optional projection shortcut
/// `downsample.0` (1×1 conv) / `downsample.1` (BN). With `ibn` the first norm is IBN-Net-a's
/// `IBN` (`bn1.IN`, `bn1.BN`) instead of a batch norm.
public final class ResNetBottleneck: Layer {
    public static let expansion = 4

    public let conv1: Conv2d
    /// `BatchNorm2d`, or `IBN` in IBN-Net-a blocks.
    public let bn1: any Layer
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let downsample: Sequential?

    /// - Parameters:
    ///   - inplanes: input channels.
    ///   - planes: width of the 3×3 convolution; the block outputs `planes * 4` channels.
    ///   - stride: applied by the 3×3 convolution (and the shortcut).
    ///   - ibn: use IBN-Net-a's `IBN` as the first norm.
    public init(inplanes: Int, planes: Int, stride: Int = 1, ibn: Bool = false) throws {
        let outChannels = planes * Self.expansion
        conv1 = try Conv2d(inplanes, planes, kernel: 1)
        bn1 = ibn ? try IBN(planes) : try BatchNorm2d(planes)
        conv2 = try Conv2d(planes, planes, kernel: 3, stride: stride, padding: 1)
        bn2 = try BatchNorm2d(planes)
        conv3 = try Conv2d(planes, outChannels, kernel: 1)
        bn3 = try BatchNorm2d(outChannels)
        if stride != 1 || inplanes != outChannels {
            downsample = Sequential(try Conv2d(inplanes, outChannels, kernel: 1, stride: stride),
                                    try BatchNorm2d(outChannels))
        } else {
            downsample = nil
        }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var out = try bn1(conv1(x)).relu()
        out = try bn2(conv2(out)).relu()
        out = try bn3(conv3(out))
        let identity = try downsample.map { try $0(x) } ?? x
        return try (out + identity).relu()
    }
}
