import Foundation

/// The look of one synthetic identity: fixed across cameras, so that re-identification is possible,
/// and varied enough between identities that it is not trivial.
struct SyntheticPerson {
    typealias RGB = Canvas.RGB
    enum Pattern: CaseIterable { case plain, stripes, checks, logo }
    enum Legwear: CaseIterable { case trousers, shorts, skirt }
    enum Bag: CaseIterable { case none, backpack, shoulder }

    var skin: RGB
    var hair: RGB
    var longHair: Bool
    var shirt: RGB
    var shirtAccent: RGB
    var pattern: Pattern
    var legs: RGB
    var legwear: Legwear
    var shoes: RGB
    var bag: Bag
    var bagColor: RGB
    var hat: RGB?
    var heightScale: Double
    var widthScale: Double

    init(using rng: inout SeededRandom) {
        let tone = rng.uniform(90, 230)
        skin = (tone, tone * rng.uniform(0.72, 0.85), tone * rng.uniform(0.55, 0.7))
        let h = rng.uniform(10, 120)
        hair = (h, h * 0.8, h * 0.6)
        longHair = rng.chance(0.4)
        shirt = rng.color()
        shirtAccent = rng.color()
        pattern = Pattern.allCases.randomElement(using: &rng)!
        legs = rng.color(15, 200)
        legwear = [Legwear.trousers, .trousers, .shorts, .skirt].randomElement(using: &rng)!
        shoes = rng.color(10, 120)
        bag = Bag.allCases.randomElement(using: &rng)!
        bagColor = rng.color()
        hat = rng.chance(0.2) ? rng.color() : nil
        heightScale = rng.uniform(0.85, 1.0)
        widthScale = rng.uniform(0.8, 1.2)
    }

    /// Draws the person facing `angle` degrees (0 front, 90 their left side, 180 back) with a
    /// walking phase in 0..<1. Returns nothing; the person's pixels are written to `mask` too.
    func draw(on canvas: inout Canvas, mask: inout Canvas, angle: Double, phase: Double,
              centerX: Double, top: Double, scale: Double) {
        let theta = angle * Double.pi / 180
        let facing = cos(theta)  // 1 front, -1 back
        let side = sin(theta)
        let H = Double(canvas.height) * scale * heightScale
        let W = H * 0.32 * widthScale
        let torsoW = W * (0.55 + 0.45 * abs(facing))
        let headR = H * 0.075
        let headY = top + headR
        let neckY = headY + headR
        let hipY = top + H * 0.55
        let footY = top + H
        let swing = sin(phase * 2 * Double.pi) * H * 0.09

        var layers: [(inout Canvas) -> Void] = []
        // Backpack seen from behind or the side is drawn before the body when facing front.
        let backpackBehind = bag == .backpack && facing > 0.2
        if backpackBehind {
            layers.append { $0.rect(x0: centerX - torsoW * 0.45, y0: neckY + H * 0.03, x1: centerX + torsoW * 0.45,
                                    y1: hipY - H * 0.05, color: bagColor) }
        }
        // Legs (trousers/shorts: two limbs; skirt: a trapezoid then bare legs).
        let legTop = hipY
        let legColor: RGB = legwear == .trousers ? legs : skin
        let spread = swing * max(0.3, abs(side))
        layers.append { c in
            c.line(from: (centerX - torsoW * 0.22, legTop), to: (centerX - torsoW * 0.22 + spread, footY - H * 0.03),
                   thickness: torsoW * 0.32, color: legColor)
            c.line(from: (centerX + torsoW * 0.22, legTop), to: (centerX + torsoW * 0.22 - spread, footY - H * 0.03),
                   thickness: torsoW * 0.32, color: legColor)
            if legwear == .shorts {
                c.rect(x0: centerX - torsoW * 0.45, y0: legTop - H * 0.02, x1: centerX + torsoW * 0.45, y1: legTop + H * 0.15,
                       color: legs)
            } else if legwear == .skirt {
                for y in Int(legTop - H * 0.02)..<Int(legTop + H * 0.2) {
                    let t = (Double(y) - legTop) / (H * 0.2)
                    let half = torsoW * (0.45 + 0.25 * max(0, t))
                    c.rect(x0: centerX - half, y0: Double(y), x1: centerX + half, y1: Double(y + 1), color: legs)
                }
            }
            c.ellipse(cx: centerX - torsoW * 0.22 + spread, cy: footY - H * 0.02, rx: torsoW * 0.22, ry: H * 0.025, color: shoes)
            c.ellipse(cx: centerX + torsoW * 0.22 - spread, cy: footY - H * 0.02, rx: torsoW * 0.22, ry: H * 0.025, color: shoes)
        }
        // Torso with its pattern; the logo only shows from the front.
        let pattern = self.pattern, accent = shirtAccent, shirt = self.shirt
        layers.append { c in
            c.rect(x0: centerX - torsoW / 2, y0: neckY, x1: centerX + torsoW / 2, y1: hipY + H * 0.02, color: shirt) { x, y in
                switch pattern {
                case .plain: return 1
                case .stripes: return (y / 3) % 2 == 0 ? 1 : 0.55
                case .checks: return ((x / 4) + (y / 4)) % 2 == 0 ? 1 : 0.6
                case .logo: return 1
                }
            }
            if pattern == .logo && facing > 0.3 {
                c.ellipse(cx: centerX, cy: neckY + (hipY - neckY) * 0.4, rx: torsoW * 0.18, ry: torsoW * 0.18, color: accent)
            }
        }
        // Arms swing opposite to the legs.
        layers.append { c in
            let shoulderY = neckY + H * 0.03
            for s in [-1.0, 1.0] {
                let x = centerX + s * torsoW * 0.5
                c.line(from: (x, shoulderY), to: (x - s * 0 - spread * s * 0.8, hipY - H * 0.02),
                       thickness: torsoW * 0.22, color: shirt)
                c.ellipse(cx: x - spread * s * 0.8, cy: hipY, rx: torsoW * 0.1, ry: torsoW * 0.1, color: self.skin)
            }
        }
        // Head: face from the front, hair from behind, profile from the side.
        layers.append { c in
            c.ellipse(cx: centerX, cy: headY, rx: headR * 0.9, ry: headR, color: self.skin)
            if facing < -0.3 {
                c.ellipse(cx: centerX, cy: headY, rx: headR * 0.95, ry: headR * 1.02, color: self.hair)
            } else {
                c.ellipse(cx: centerX - side * headR * 0.3, cy: headY - headR * 0.5, rx: headR * 0.95, ry: headR * 0.55,
                          color: self.hair)
            }
            if self.longHair && facing < 0.5 {
                c.rect(x0: centerX - headR * 0.9, y0: headY, x1: centerX + headR * 0.9, y1: neckY + H * 0.08, color: self.hair)
            }
            if let hat = self.hat {
                c.rect(x0: centerX - headR * 1.1, y0: headY - headR * 1.1, x1: centerX + headR * 1.1, y1: headY - headR * 0.4,
                       color: hat)
            }
        }
        // Bags in front of the body: a backpack seen from behind, a shoulder bag at the hip.
        if bag == .backpack && !backpackBehind {
            let x = centerX - side * torsoW * 0.35
            layers.append { $0.rect(x0: x - torsoW * 0.4, y0: neckY + H * 0.03, x1: x + torsoW * 0.4,
                                    y1: hipY - H * 0.04, color: self.bagColor) }
        } else if bag == .shoulder {
            let x = centerX + (side >= 0 ? 1 : -1) * torsoW * 0.55
            layers.append { $0.rect(x0: x - torsoW * 0.2, y0: hipY - H * 0.1, x1: x + torsoW * 0.2,
                                    y1: hipY + H * 0.05, color: self.bagColor) }
        }
        for layer in layers {
            layer(&canvas)
            layer(&mask)
        }
    }
}
