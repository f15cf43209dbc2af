import Torch

/// A tiny RGB raster with the few drawing primitives the synthetic dataset needs.
struct Canvas {
    let height: Int
    let width: Int
    var pixels: [UInt8]

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        pixels = [UInt8](repeating: 0, count: height * width * 3)
    }

    typealias RGB = (Double, Double, Double)

    @inline(__always)
    mutating func set(_ x: Int, _ y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let o = (y * width + x) * 3
        pixels[o] = UInt8(max(0, min(255, c.0)))
        pixels[o + 1] = UInt8(max(0, min(255, c.1)))
        pixels[o + 2] = UInt8(max(0, min(255, c.2)))
    }

    /// Vertical gradient from `top` to `bottom`.
    mutating func gradient(top: RGB, bottom: RGB) {
        for y in 0..<height {
            let t = Double(y) / Double(max(1, height - 1))
            let c = (top.0 + (bottom.0 - top.0) * t, top.1 + (bottom.1 - top.1) * t, top.2 + (bottom.2 - top.2) * t)
            for x in 0..<width { set(x, y, c) }
        }
    }

    /// Filled axis-aligned rectangle; `shade(x, y)` may vary the colour (patterns).
    mutating func rect(x0: Double, y0: Double, x1: Double, y1: Double, color: RGB,
                       shade: ((Int, Int) -> Double)? = nil) {
        for y in Int(y0.rounded())..<max(Int(y0.rounded()), Int(y1.rounded())) {
            for x in Int(x0.rounded())..<max(Int(x0.rounded()), Int(x1.rounded())) {
                let s = shade?(x, y) ?? 1
                set(x, y, (color.0 * s, color.1 * s, color.2 * s))
            }
        }
    }

    /// Filled ellipse.
    mutating func ellipse(cx: Double, cy: Double, rx: Double, ry: Double, color: RGB) {
        guard rx > 0, ry > 0 else { return }
        for y in Int(cy - ry)...Int(cy + ry) {
            for x in Int(cx - rx)...Int(cx + rx) {
                let dx = (Double(x) - cx) / rx, dy = (Double(y) - cy) / ry
                if dx * dx + dy * dy <= 1 { set(x, y, color) }
            }
        }
    }

    /// Thick line segment (limbs).
    mutating func line(from a: (Double, Double), to b: (Double, Double), thickness: Double, color: RGB) {
        let steps = Int(max(abs(b.0 - a.0), abs(b.1 - a.1)) * 2) + 1
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            ellipse(cx: a.0 + (b.0 - a.0) * t, cy: a.1 + (b.1 - a.1) * t, rx: thickness / 2, ry: thickness / 2, color: color)
        }
    }

    /// Per-pixel colour transform (camera illumination, cast and noise).
    mutating func map(_ f: (Int, Int, RGB) -> RGB) {
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                set(x, y, f(x, y, (Double(pixels[o]), Double(pixels[o + 1]), Double(pixels[o + 2]))))
            }
        }
    }

    /// 3×3 box blur, `passes` times (camera focus).
    mutating func blur(passes: Int) {
        for _ in 0..<passes {
            let src = pixels
            for y in 0..<height {
                for x in 0..<width {
                    for c in 0..<3 {
                        var sum = 0, n = 0
                        for dy in -1...1 {
                            for dx in -1...1 {
                                let xx = x + dx, yy = y + dy
                                if xx >= 0, yy >= 0, xx < width, yy < height {
                                    sum += Int(src[(yy * width + xx) * 3 + c])
                                    n += 1
                                }
                            }
                        }
                        pixels[(y * width + x) * 3 + c] = UInt8(sum / n)
                    }
                }
            }
        }
    }

    var image: Image { Image(height: height, width: width, channels: 3, pixels: pixels) }
}
