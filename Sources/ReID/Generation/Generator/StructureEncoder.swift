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

/// The decoder: structure code + appearance style (AdaIN in every block) → image [N, 3, H, W] in −1…1.
///
/// With a colour map, the appearance's colour layout (one mean colour per horizontal stripe) is
/// also drawn as a picture of its stripes at the structure code's size and added to it through
/// a 1×1 convolution. Why: AdaIN sets each channel's scale and shift for the whole picture, so
/// the style alone cannot say that the red is on top and the grey below; the decoder had to
/// guess where colours go from the structure (seen: a person's yellow shorts drawn at the feet).
final class ViewDecoder: Module {
    let blocks: [AdaINResidualBlock]
    let up1: UpBlock
    let up2: UpBlock
    let out: Conv2d
    /// One 1×1 convolution from the colour map (3 channels) when on, else none.
    let colour: [Conv2d]

    init(channels: Int, blocks count: Int = 2, colourMap: Bool = false) throws {
        colour = colourMap ? [try Conv2d(3, channels, kernel: 1, padding: 0, bias: false)] : []
        blocks = try (0..<count).map { _ in try AdaINResidualBlock(channels) }
        up1 = try UpBlock(channels, channels / 2)
        up2 = try UpBlock(channels / 2, channels / 4)
        out = try Conv2d(channels / 4, 3, kernel: 7, padding: 3, bias: true)
    }

    var styleCount: Int { blocks.reduce(0) { $0 + $1.styleCount } + up1.styleCount + up2.styleCount }

    /// `colours` [N, 3·stripes]: the colour layout (used only with a colour map).
    func callAsFunction(_ structure: Tensor, style: Tensor, colours: Tensor) throws -> Tensor {
        var y = structure
        if let conv = colour.first {
            let stripes = try colours.view([-1, 3, colours.size(1) / 3, 1])
            y = try y + conv(F.interpolate(stripes, size: (structure.size(2), structure.size(3)), bilinear: false))
        }
        var offset = 0
        func next(_ count: Int) throws -> Tensor {
            defer { offset += count }
            return try style.narrow(dim: 1, start: offset, length: count)
        }
        for b in blocks { y = try b(y, style: next(b.styleCount)) }
        y = try up1(y, style: next(up1.styleCount))
        y = try up2(y, style: next(up2.styleCount))
        return try out(y).tanh()
    }
}

/// Maps an appearance code (`ViewGenerator.appearanceCode`: the identity encoder's L2-normalised
/// feature, then the colour layout) to the decoder's AdaIN parameters.
///
/// The feature part is first scaled by √D, so its components are about ±1 instead of about
/// ±1/√D. Why: through default-initialised layers a unit vector of 512 components gives styles
/// that barely differ between people while the biases give everyone the same style, so the
/// decoder learns to draw from the structure alone (measured: at 200 steps every appearance gave
/// the identical picture and the identity contrast sat at chance).
final class StyleMapping: Layer {
    let fc1: Linear
    let fc2: Linear
    let featureScale: Tensor

    /// `feature` dimensions of the code scaled by √feature, the rest (colours, about ±1) as they are.
    init(feature: Int, colours: Int, hidden: Int = 256, output: Int) throws {
        fc1 = try Linear(feature + colours, hidden)
        fc2 = try Linear(hidden, output)
        featureScale = try Tensor([Float](repeating: Float(Double(feature).squareRoot()), count: feature)
                                  + [Float](repeating: 1, count: colours), shape: [1, feature + colours])
    }

    func callAsFunction(_ code: Tensor) throws -> Tensor {
        try fc2(fc1(code * featureScale.to(code.device)).relu())
    }
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
