import Torch

/// OSNet, the omni-scale network of torchreid (Zhou et al., ICCV 2019), as a backbone that
/// returns the `conv5` map [N, C, H/16, W/16] with C = 512 × width.
///
/// Layout (torchreid's `osnet.py`, names unchanged): `conv1` 7×7 stride 2 conv+BN+ReLU, 3×3
/// max pool stride 2, `conv2` / `conv3` (two `OSBlock`s each, then a transition at index 2:
/// 1×1 conv+BN+ReLU `conv2.2.0` and 2×2 average pool), `conv4` (two `OSBlock`s), `conv5` 1×1
/// conv+BN+ReLU. torchreid's embedding `fc` (Linear + BN1d + ReLU to 512) and `classifier` are
/// not part of the backbone; `ReIDHead` does that job.
public final class OSNet: Backbone {
    /// The four published widths: channels [64, 256, 384, 512] scaled by 1, 0.75, 0.5, 0.25.
    public enum Width: String, Sendable, CaseIterable {
        case x1_0, x0_75, x0_5, x0_25

        public var channels: [Int] {
            switch self {
            case .x1_0: return [64, 256, 384, 512]
            case .x0_75: return [48, 192, 288, 384]
            case .x0_5: return [32, 128, 192, 256]
            case .x0_25: return [16, 64, 96, 128]
            }
        }
    }

    public let conv1: OSNetConvBN
    public let maxpool: MaxPool2d
    public let conv2: Sequential
    public let conv3: Sequential
    public let conv4: Sequential
    public let conv5: OSNetConvBN
    public let width: Width
    public var featureChannels: Int { width.channels[3] }

    /// Initialised as torchreid does: Kaiming normal (fan-out, ReLU) convolutions with zero
    /// biases, norms at weight 1, bias 0.
    public init(width: Width = .x1_0) throws {
        self.width = width
        let c = width.channels
        func stage(_ inChannels: Int, _ outChannels: Int, blocks: Int, reduceSpatialSize: Bool) throws -> Sequential {
            var layers: [any Layer] = [try OSBlock(inChannels, outChannels)]
            for _ in 1..<blocks { layers.append(try OSBlock(outChannels, outChannels)) }
            if reduceSpatialSize {
                layers.append(Sequential(try OSNetConvBN(outChannels, outChannels), AvgPool2d(kernel: 2, stride: 2)))
            }
            return Sequential(layers)
        }
        conv1 = try OSNetConvBN(3, c[0], kernel: 7, stride: 2, padding: 3)
        maxpool = MaxPool2d(kernel: 3, stride: 2, padding: 1)
        conv2 = try stage(c[0], c[1], blocks: 2, reduceSpatialSize: true)
        conv3 = try stage(c[1], c[2], blocks: 2, reduceSpatialSize: true)
        conv4 = try stage(c[2], c[3], blocks: 2, reduceSpatialSize: false)
        conv5 = try OSNetConvBN(c[3], c[3])
        try BackboneInit.kaimingFanOut(self)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = try maxpool(conv1(x))
        y = try conv2(y)
        y = try conv3(y)
        y = try conv4(y)
        return try conv5(y)
    }
}
