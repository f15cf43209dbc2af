import Torch

/// Convolution → instance norm → leaky ReLU, the encoders' and discriminator's unit.
final class ConvINBlock: Layer {
    let conv: Conv2d
    let norm: InstanceNorm2d?
    let slope: Double

    init(_ input: Int, _ output: Int, kernel: Int, stride: Int = 1, padding: Int, norm: Bool = true, slope: Double = 0.2) throws {
        conv = try Conv2d(input, output, kernel: kernel, stride: stride, padding: padding, bias: true)
        self.norm = norm ? try InstanceNorm2d(output, affine: true) : nil
        self.slope = slope
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = try conv(x)
        if let norm { y = try norm(y) }
        return try y.leakyRelu(slope)
    }
}

/// A residual block with instance norm (structure encoder).
final class ResidualINBlock: Layer {
    let a: ConvINBlock
    let b: Conv2d
    let norm: InstanceNorm2d

    init(_ channels: Int) throws {
        a = try ConvINBlock(channels, channels, kernel: 3, padding: 1)
        b = try Conv2d(channels, channels, kernel: 3, padding: 1, bias: true)
        norm = try InstanceNorm2d(channels, affine: true)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try x + norm(b(a(x))) }
}

/// A residual block whose normalisation is adaptive instance norm: the appearance code sets each
/// channel's scale and shift (γ, β) after a parameter-free instance norm, as in DG-Net's decoder.
final class AdaINResidualBlock: Module {
    let conv1: Conv2d
    let conv2: Conv2d
    let channels: Int

    init(_ channels: Int) throws {
        conv1 = try Conv2d(channels, channels, kernel: 3, padding: 1, bias: true)
        conv2 = try Conv2d(channels, channels, kernel: 3, padding: 1, bias: true)
        self.channels = channels
    }

    /// Style parameters this block takes: γ and β for each of its two convolutions.
    var styleCount: Int { 4 * channels }

    static func adain(_ x: Tensor, gamma: Tensor, beta: Tensor) throws -> Tensor {
        let c = x.size(1)
        let normed = try F.instanceNorm(x, weight: nil, bias: nil)
        return try normed * (gamma.view([-1, c, 1, 1]) + 1) + beta.view([-1, c, 1, 1])
    }

    /// `style` [N, styleCount].
    func callAsFunction(_ x: Tensor, style: Tensor) throws -> Tensor {
        let s = try style.chunk(4, dim: 1)
        var y = try AdaINResidualBlock.adain(conv1(x), gamma: s[0], beta: s[1]).leakyRelu(0.2)
        y = try AdaINResidualBlock.adain(conv2(y), gamma: s[2], beta: s[3])
        return try x + y
    }
}

/// Transposed convolution ×2 → adaptive instance norm → leaky ReLU, the decoder's upsampling.
/// Why AdaIN here too (DG-Net's upsampling uses a plain layer norm): the appearance then sets
/// every channel's mean and scale right up to the output convolution, so colour has a short path
/// to the picture. With AdaIN only in the residual blocks, the structure code's skip connection
/// let the decoder draw everyone in the same grey (measured: 200 steps, identical pictures for
/// every appearance, no colour).
final class UpBlock: Module {
    let conv: ConvTranspose2d
    let channels: Int

    init(_ input: Int, _ output: Int) throws {
        conv = try ConvTranspose2d(input, output, kernel: 4, stride: 2, padding: 1)
        channels = output
    }

    /// Style parameters this block takes: γ and β.
    var styleCount: Int { 2 * channels }

    /// `style` [N, styleCount].
    func callAsFunction(_ x: Tensor, style: Tensor) throws -> Tensor {
        let s = try style.chunk(2, dim: 1)
        return try AdaINResidualBlock.adain(conv(x), gamma: s[0], beta: s[1]).leakyRelu(0.2)
    }
}
