import Torch

/// The structure encoder: a grey image [N, 1, H, W] (pose, shape, no colour) → a structure code
/// [N, C, H/4, W/4]. Grey input keeps clothing colour out of the code, so the decoder must take
/// appearance from the identity encoder.
final class StructureEncoder: Layer {
    let stem: ConvINBlock
    let down1: ConvINBlock
    let down2: ConvINBlock
    let res: [ResidualINBlock]

    init(width: Int = 16, blocks: Int = 2) throws {
        stem = try ConvINBlock(1, width, kernel: 3, padding: 1)
        down1 = try ConvINBlock(width, width * 2, kernel: 4, stride: 2, padding: 1)
        down2 = try ConvINBlock(width * 2, width * 4, kernel: 4, stride: 2, padding: 1)
        res = try (0..<blocks).map { _ in try ResidualINBlock(width * 4) }
    }

    var channels: Int { down2.conv.weight.size(0) }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var y = try down2(down1(stem(x)))
        for r in res { y = try r(y) }
        return y
    }
}

/// The decoder: structure code + appearance style → image [N, 3, H, W] in −1…1.
final class ViewDecoder: Module {
    let blocks: [AdaINResidualBlock]
    let up1: UpBlock
    let up2: UpBlock
    let out: Conv2d

    init(channels: Int, blocks count: Int = 2) throws {
        blocks = try (0..<count).map { _ in try AdaINResidualBlock(channels) }
        up1 = try UpBlock(channels, channels / 2)
        up2 = try UpBlock(channels / 2, channels / 4)
        out = try Conv2d(channels / 4, 3, kernel: 7, padding: 3, bias: true)
    }

    var styleCount: Int { blocks.reduce(0) { $0 + $1.styleCount } }

    func callAsFunction(_ structure: Tensor, style: Tensor) throws -> Tensor {
        var y = structure
        var offset = 0
        for b in blocks {
            y = try b(y, style: style.narrow(dim: 1, start: offset, length: b.styleCount))
            offset += b.styleCount
        }
        return try out(up2(up1(y))).tanh()
    }
}

/// Maps the identity encoder's feature to the decoder's AdaIN parameters.
final class StyleMapping: Layer {
    let fc1: Linear
    let fc2: Linear

    init(_ input: Int, hidden: Int = 256, output: Int) throws {
        fc1 = try Linear(input, hidden)
        fc2 = try Linear(hidden, output)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try fc2(fc1(x).relu()) }
}

/// PatchGAN discriminator: real/fake logits per overlapping patch, [N, 1, H/8, W/8].
final class PatchDiscriminator: Layer {
    let c1: ConvINBlock
    let c2: ConvINBlock
    let c3: ConvINBlock
    let out: Conv2d

    init(width: Int = 32) throws {
        c1 = try ConvINBlock(3, width, kernel: 4, stride: 2, padding: 1, norm: false)
        c2 = try ConvINBlock(width, width * 2, kernel: 4, stride: 2, padding: 1)
        c3 = try ConvINBlock(width * 2, width * 4, kernel: 4, stride: 2, padding: 1)
        out = try Conv2d(width * 4, 1, kernel: 3, padding: 1, bias: true)
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor { try out(c3(c2(c1(x)))) }
}
