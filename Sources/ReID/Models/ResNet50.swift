import Torch

/// ResNet-50 (torchvision v1.5 layout, without `fc`) and IBN-Net-50-a, producing the
/// `layer4` map [N, 2048, H/32, W/32], or [N, 2048, H/16, W/16] with `lastStride: 1`.
///
/// Parameter names are torchvision's (`conv1`, `bn1`, `layer1.0.conv1.weight`,
/// `layer1.0.downsample.0.weight`…), which the official IBN-Net and fast-reid `resnet50_ibn_a`
/// share, with `layerK.i.bn1.IN.*` / `bn1.BN.*` in layers 1–3 of the IBN variant.
public final class ResNet50: Backbone {
    public enum Variant: String, Sendable, CaseIterable {
        /// Plain ResNet-50.
        case standard
        /// IBN-Net-50-a: `IBN` as the first norm of every block in layer1–layer3.
        case ibnA
    }

    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let maxpool: MaxPool2d
    public let layer1: Sequential
    public let layer2: Sequential
    public let layer3: Sequential
    public let layer4: Sequential
    public let variant: Variant
    public let lastStride: Int
    public var featureChannels: Int { 512 * ResNetBottleneck.expansion }

    /// - Parameters:
    ///   - lastStride: stride of layer4's first block; 1 (the re-ID choice, BoT) doubles the
    ///     final map's height and width, 2 is ImageNet's ResNet.
    ///   - variant: `.standard` or `.ibnA`.
    ///   Weights are initialised as torchvision does: Kaiming normal (fan-out, ReLU) for
    ///   convolutions, weight 1 and bias 0 for norms.
    public init(lastStride: Int = 1, variant: Variant = .standard) throws {
        guard lastStride == 1 || lastStride == 2 else {
            throw TorchError.invalidArgument("ResNet-50: lastStride must be 1 or 2, not \(lastStride)")
        }
        self.variant = variant
        self.lastStride = lastStride
        conv1 = try Conv2d(3, 64, kernel: 7, stride: 2, padding: 3)
        bn1 = try BatchNorm2d(64)
        maxpool = MaxPool2d(kernel: 3, stride: 2, padding: 1)
        let ibn = variant == .ibnA
        var inplanes = 64
        func stage(_ planes: Int, blocks: Int, stride: Int, ibn: Bool) throws -> Sequential {
            var layers: [any Layer] = []
            for i in 0..<blocks {
                layers.append(try ResNetBottleneck(inplanes: inplanes, planes: planes, stride: i == 0 ? stride : 1, ibn: ibn))
                inplanes = planes * ResNetBottleneck.expansion
            }
            return Sequential(layers)
        }
        layer1 = try stage(64, blocks: 3, stride: 1, ibn: ibn)
        layer2 = try stage(128, blocks: 4, stride: 2, ibn: ibn)
        layer3 = try stage(256, blocks: 6, stride: 2, ibn: ibn)
        layer4 = try stage(512, blocks: 3, stride: lastStride, ibn: false)
        try BackboneInit.kaimingFanOut(self)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = try maxpool(bn1(conv1(x)).relu())
        y = try layer1(y)
        y = try layer2(y)
        y = try layer3(y)
        return try layer4(y)
    }
}
