import Torch

/// Random brightness, contrast, saturation and hue changes, applied in a random order (as
/// torchvision's `ColorJitter`) with probability `probability`. Pixels are taken as RGB in 0…1
/// and clamped to 0…1 after each step. With a strength s, a factor f is drawn uniformly from
/// [max(0, 1 − s), 1 + s]; with hue strength h, a shift d from [−h, h] (h ≤ 0.5):
///
/// - brightness: x ← f·x
/// - contrast:   x ← f·x + (1 − f)·m, m = the mean grey level of the image
/// - saturation: x ← f·x + (1 − f)·g, g = the pixel's grey level
/// - hue:        the pixel's hue (HSV, in turns) ← hue + d, modulo 1
///
/// where grey = 0.299 R + 0.587 G + 0.114 B (ITU-R 601, as torchvision). A strength of 0 leaves
/// that property alone. Grey (single-channel) images get brightness and contrast only.
public struct ColorJitter: ImageTransform {
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double
    public var hue: Double
    public var probability: Double

    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0,
                probability: Double = 1) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = min(max(hue, 0), 0.5)
        self.probability = probability
    }

    enum Step: CaseIterable { case brightness, contrast, saturation, hue }

    public func apply(_ image: Image, using rng: inout SeededRandom) throws -> Image {
        guard rng.chance(probability) else { return image }
        var order = Step.allCases
        order.shuffle(using: &rng)
        var px = image.pixels.map { Float($0) / 255 }
        let c = image.channels
        for step in order {
            switch step {
            case .brightness:
                guard brightness > 0 else { continue }
                let f = Float(rng.uniform(max(0, 1 - brightness), 1 + brightness))
                for i in px.indices { px[i] = clamp01(px[i] * f) }
            case .contrast:
                guard contrast > 0 else { continue }
                let f = Float(rng.uniform(max(0, 1 - contrast), 1 + contrast))
                var sum: Float = 0
                for p in stride(from: 0, to: px.count, by: c) { sum += grey(px, p, c) }
                let m = sum / Float(max(1, px.count / c))
                for i in px.indices { px[i] = clamp01(f * px[i] + (1 - f) * m) }
            case .saturation:
                guard saturation > 0, c == 3 else { continue }
                let f = Float(rng.uniform(max(0, 1 - saturation), 1 + saturation))
                for p in stride(from: 0, to: px.count, by: 3) {
                    let g = grey(px, p, 3)
                    for k in 0..<3 { px[p + k] = clamp01(f * px[p + k] + (1 - f) * g) }
                }
            case .hue:
                guard hue > 0, c == 3 else { continue }
                let d = Float(rng.uniform(-hue, hue))
                for p in stride(from: 0, to: px.count, by: 3) {
                    var (h, s, v) = Self.hsv(px[p], px[p + 1], px[p + 2])
                    h = (h + d).truncatingRemainder(dividingBy: 1)
                    if h < 0 { h += 1 }
                    (px[p], px[p + 1], px[p + 2]) = Self.rgb(h, s, v)
                }
            }
        }
        return Image(height: image.height, width: image.width, channels: c,
                     pixels: px.map { UInt8(($0 * 255).rounded()) })
    }

    @inline(__always) func clamp01(_ x: Float) -> Float { min(max(x, 0), 1) }

    @inline(__always) func grey(_ px: [Float], _ p: Int, _ c: Int) -> Float {
        c == 3 ? 0.299 * px[p] + 0.587 * px[p + 1] + 0.114 * px[p + 2] : px[p]
    }

    /// RGB in 0…1 to hue (turns, 0…1), saturation and value.
    static func hsv(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let maxc = max(r, g, b), minc = min(r, g, b), delta = maxc - minc
        guard delta > 0 else { return (0, 0, maxc) }
        var h: Float
        if maxc == r { h = (g - b) / delta } else if maxc == g { h = 2 + (b - r) / delta } else { h = 4 + (r - g) / delta }
        h /= 6
        if h < 0 { h += 1 }
        return (h, delta / maxc, maxc)
    }

    static func rgb(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let h6 = h * 6, i = Int(h6) % 6, f = h6 - Float(Int(h6))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}
