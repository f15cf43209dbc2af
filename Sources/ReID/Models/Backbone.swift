import Torch

/// A convolutional trunk that turns images [N, 3, H, W] into a feature map [N, C, h, w].
///
/// Conformers name their parameters as the PyTorch implementation they mirror does
/// (torchvision, IBN-Net, torchreid), so public checkpoints load without renaming.
/// Pooling, BNNeck and classifiers live in `ReIDHead`, not here.
public protocol Backbone: Layer {
    /// C, the number of channels of the feature map.
    var featureChannels: Int { get }
}

/// Weight initialisation shared by the backbones.
enum BackboneInit {
    /// He/Kaiming normal with fan-out and the ReLU gain for every convolution (biases zero), and
    /// weight 1, bias 0 for every batch/instance norm: what torchvision's ResNet, IBN-Net and
    /// torchreid's OSNet do after construction.
    static func kaimingFanOut(_ root: any Module) throws {
        try withNoGrad {
            for (_, module) in root.namedModules() {
                switch module {
                case let conv as Conv2d:
                    try conv.weight.kaimingNormal_(fanOut: true, relu: true)
                    try conv.bias?.zero_()
                case let bn as BatchNorm:
                    try bn.weight?.fill_(1)
                    try bn.bias?.zero_()
                case let norm as InstanceNorm2d:
                    try norm.weight?.fill_(1)
                    try norm.bias?.zero_()
                default:
                    break
                }
            }
        }
    }
}
