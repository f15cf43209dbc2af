import Foundation

/// What makes one synthetic camera look unlike another: background, light, colour cast,
/// focus and how large people appear.
struct SyntheticCamera {
    typealias RGB = Canvas.RGB
    var skyTop: RGB
    var ground: RGB
    var props: [(x0: Double, y0: Double, x1: Double, y1: Double, color: RGB)]
    var gain: Double
    var cast: RGB
    var blurPasses: Int
    var scaleRange: ClosedRange<Double>
    var noise: Double

    init(using rng: inout SeededRandom) {
        skyTop = rng.color(60, 230)
        ground = rng.color(40, 200)
        props = (0..<rng.int(2...5)).map { _ in
            let x = rng.uniform(0, 1), y = rng.uniform(0, 0.8)
            return (x, y, x + rng.uniform(0.1, 0.4), y + rng.uniform(0.1, 0.5), rng.color(30, 220))
        }
        gain = rng.uniform(0.65, 1.25)
        cast = (rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2))
        blurPasses = rng.int(0...2)
        let s = rng.uniform(0.72, 0.92)
        scaleRange = s...(s + 0.06)
        noise = rng.uniform(2, 12)
    }

    func background(on canvas: inout Canvas) {
        canvas.gradient(top: skyTop, bottom: ground)
        let w = Double(canvas.width), h = Double(canvas.height)
        for p in props {
            canvas.rect(x0: p.x0 * w, y0: p.y0 * h, x1: p.x1 * w, y1: p.y1 * h, color: p.color)
        }
    }

    func finish(_ canvas: inout Canvas, using rng: inout SeededRandom) {
        var local = rng
        canvas.map { _, _, c in
            let n = local.uniform(-noise, noise)
            return (c.0 * gain * cast.0 + n, c.1 * gain * cast.1 + n, c.2 * gain * cast.2 + n)
        }
        rng = local
        canvas.blur(passes: blurPasses)
    }
}
