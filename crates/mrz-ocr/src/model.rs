//! The symbol classifier: features standardised, one hidden layer of ReLU
//! units, a softmax over the 37 symbols and one more output, "not a
//! symbol" ([`REJECT`]): a glyph upside down. What it takes for itself is
//! doubt the reader sees (the 37 probabilities [`Model::classify`] gives
//! then add up to less than 1). A model is a few such networks trained
//! from different starting points, their outputs averaged: one network
//! alone can be sure and wrong; where they disagree, the mean is in doubt.
//!
//! Trained by `examples/train.rs` (see `assets/mrz-ocr/README.md` for the
//! shipped file's provenance). The file: `MRZOCR03`, the number of
//! networks (little-endian u32), then each network: as u32 its feature and
//! hidden counts, then f32s — means, scales, hidden weights and biases,
//! output weights and biases. [`Model::from_bytes`]
//! takes any bytes: a file that is not one is an error, never a panic.

use crate::alphabet::COUNT;
use crate::synth::Rng;

const MAGIC: &[u8; 8] = b"MRZOCR03";

/// The label of a cell that holds no one upright symbol.
pub const REJECT: usize = COUNT;
/// The model's outputs: the symbols and [`REJECT`].
const OUTPUTS: usize = COUNT + 1;

/// Why bytes are not a model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// Not this format.
    #[error("not an MRZ reader model (no MRZOCR03 header)")]
    NotAModel,
    /// The sizes do not add up, or a value is not a number.
    #[error("the MRZ reader model is damaged ({0})")]
    Damaged(&'static str),
}

/// A trained classifier: networks whose outputs are averaged.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    nets: Vec<Net>,
}

/// One network.
#[derive(Debug, Clone, PartialEq)]
struct Net {
    features: usize,
    hidden: usize,
    mean: Vec<f32>,
    scale: Vec<f32>,
    /// hidden × features.
    w1: Vec<f32>,
    b1: Vec<f32>,
    /// OUTPUTS × hidden.
    w2: Vec<f32>,
    b2: Vec<f32>,
}

/// The model the app ships (`assets/mrz-ocr/ocrb.model`).
pub fn shipped() -> Result<Model, ModelError> {
    Model::from_bytes(include_bytes!("../../../assets/mrz-ocr/ocrb.model"))
}

impl Model {
    /// How many features it takes.
    pub fn features(&self) -> usize {
        self.nets.first().map_or(0, |n| n.features)
    }

    /// One model of the networks of `models` (all taking as many features).
    pub fn ensemble(models: Vec<Model>) -> Self {
        Self { nets: models.into_iter().flat_map(|m| m.nets).collect() }
    }

    /// Each symbol's probability for a cell's `features` (as many as
    /// [`Self::features`]; missing ones count as 0); what is left of 1 is
    /// the chance that it is no symbol at all.
    pub fn classify(&self, features: &[f32]) -> [f32; COUNT] {
        let p = self.outputs(features);
        let mut out = [0f32; COUNT];
        out.copy_from_slice(&p[..COUNT]);
        out
    }

    /// Every output's probability, [`REJECT`] last.
    pub fn outputs(&self, features: &[f32]) -> [f32; OUTPUTS] {
        let mut out = [0f32; OUTPUTS];
        let n = self.nets.len().max(1) as f32;
        for net in &self.nets {
            for (o, p) in out.iter_mut().zip(net.outputs(features)) {
                *o += p / n;
            }
        }
        out
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend((self.nets.len() as u32).to_le_bytes());
        for net in &self.nets {
            net.write(&mut out);
        }
        out
    }

    /// A model from its file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(ModelError::NotAModel)?;
        let count = body
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or(ModelError::Damaged("too short"))?;
        if count == 0 || count > 16 {
            return Err(ModelError::Damaged("number of networks out of range"));
        }
        let mut rest = &body[4..];
        let mut nets = Vec::new();
        for _ in 0..count {
            let (net, used) = Net::read(rest)?;
            rest = &rest[used..];
            nets.push(net);
        }
        if !rest.is_empty() {
            return Err(ModelError::Damaged("size does not match"));
        }
        if nets.iter().any(|n| n.features != nets[0].features) {
            return Err(ModelError::Damaged("networks of different sizes"));
        }
        Ok(Self { nets })
    }

    /// Trains a model of one network on `samples` (features, symbol number
    /// or [`REJECT`]) with `hidden` units: `epochs` passes of stochastic
    /// gradient descent with momentum, in an order drawn from `rng` (the
    /// same seed gives the same model).
    pub fn train(samples: &[(Vec<f32>, usize)], hidden: usize, epochs: usize, rng: &mut Rng) -> Self {
        Self { nets: vec![Net::train(samples, hidden, epochs, rng)] }
    }
}

impl Net {
    fn outputs(&self, features: &[f32]) -> [f32; OUTPUTS] {
        let x: Vec<f32> = (0..self.features)
            .map(|i| (features.get(i).copied().unwrap_or(0.0) - self.mean[i]) * self.scale[i])
            .collect();
        let hidden = self.hidden_of(&x);
        softmax(&self.logits(&hidden))
    }

    fn hidden_of(&self, x: &[f32]) -> Vec<f32> {
        (0..self.hidden)
            .map(|j| {
                let row = &self.w1[j * self.features..(j + 1) * self.features];
                (dot(row, x) + self.b1[j]).max(0.0)
            })
            .collect()
    }

    fn logits(&self, hidden: &[f32]) -> [f32; OUTPUTS] {
        let mut out = [0f32; OUTPUTS];
        for (k, o) in out.iter_mut().enumerate() {
            *o = dot(&self.w2[k * self.hidden..(k + 1) * self.hidden], hidden) + self.b2[k];
        }
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend((self.features as u32).to_le_bytes());
        out.extend((self.hidden as u32).to_le_bytes());
        for part in [&self.mean, &self.scale, &self.w1, &self.b1, &self.w2, &self.b2] {
            for v in part.iter() {
                out.extend(v.to_le_bytes());
            }
        }
    }

    /// A network from the start of `body`, and the bytes it took.
    fn read(body: &[u8]) -> Result<(Self, usize), ModelError> {
        let word = |at: usize| -> Result<usize, ModelError> {
            let b: [u8; 4] =
                body.get(at..at + 4).and_then(|s| s.try_into().ok()).ok_or(ModelError::Damaged("too short"))?;
            Ok(u32::from_le_bytes(b) as usize)
        };
        let (features, hidden) = (word(0)?, word(4)?);
        if features == 0 || hidden == 0 || features > 100_000 || hidden > 10_000 {
            return Err(ModelError::Damaged("sizes out of range"));
        }
        let sizes = [features, features, hidden * features, hidden, OUTPUTS * hidden, OUTPUTS];
        let total: usize = sizes.iter().sum();
        let values = body.get(8..8 + total * 4).ok_or(ModelError::Damaged("size does not match"))?;
        let mut floats = values.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        if floats.clone().any(|v| !v.is_finite()) {
            return Err(ModelError::Damaged("a value is not a number"));
        }
        let mut take = |n: usize| -> Vec<f32> { floats.by_ref().take(n).collect() };
        let net = Self {
            features,
            hidden,
            mean: take(sizes[0]),
            scale: take(sizes[1]),
            w1: take(sizes[2]),
            b1: take(sizes[3]),
            w2: take(sizes[4]),
            b2: take(sizes[5]),
        };
        Ok((net, 8 + total * 4))
    }

    fn train(samples: &[(Vec<f32>, usize)], hidden: usize, epochs: usize, rng: &mut Rng) -> Self {
        let features = samples.first().map_or(0, |s| s.0.len());
        let n = samples.len().max(1) as f32;
        let mut mean = vec![0f32; features];
        for (x, _) in samples {
            for (m, v) in mean.iter_mut().zip(x) {
                *m += v / n;
            }
        }
        let mut var = vec![0f32; features];
        for (x, _) in samples {
            for ((s, v), m) in var.iter_mut().zip(x).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        let scale: Vec<f32> = var.iter().map(|v| 1.0 / v.sqrt().max(0.05)).collect();
        let init = |rng: &mut Rng, fan_in: usize| (rng.unit() * 2.0 - 1.0) * (6.0 / fan_in as f32).sqrt();
        let mut model = Self {
            features,
            hidden,
            w1: (0..hidden * features).map(|_| init(rng, features)).collect(),
            b1: vec![0.01; hidden],
            w2: (0..OUTPUTS * hidden).map(|_| init(rng, hidden)).collect(),
            b2: vec![0.0; OUTPUTS],
            mean,
            scale,
        };
        let mut v1 = vec![0f32; model.w1.len()];
        let mut vb1 = vec![0f32; hidden];
        let mut v2 = vec![0f32; model.w2.len()];
        let mut vb2 = [0f32; OUTPUTS];
        let mut order: Vec<usize> = (0..samples.len()).collect();
        let momentum = 0.9;
        for epoch in 0..epochs {
            let rate = 0.002 / (1.0 + epoch as f32 * 0.5);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            for &s in &order {
                let (raw, label) = &samples[s];
                let x: Vec<f32> =
                    raw.iter().zip(&model.mean).zip(&model.scale).map(|((v, m), k)| (v - m) * k).collect();
                let h = model.hidden_of(&x);
                let p = softmax(&model.logits(&h));
                // Output layer's gradient: p − one-hot.
                let mut dh = vec![0f32; hidden];
                for k in 0..OUTPUTS {
                    let g = p[k] - if k == *label { 1.0 } else { 0.0 };
                    if g.abs() < 1e-6 {
                        continue;
                    }
                    let row = k * hidden;
                    for j in 0..hidden {
                        dh[j] += g * model.w2[row + j];
                        v2[row + j] = momentum * v2[row + j] - rate * g * h[j];
                        model.w2[row + j] += v2[row + j];
                    }
                    vb2[k] = momentum * vb2[k] - rate * g;
                    model.b2[k] += vb2[k];
                }
                for j in 0..hidden {
                    if h[j] <= 0.0 || dh[j] == 0.0 {
                        continue;
                    }
                    let g = dh[j];
                    let row = j * features;
                    for i in 0..features {
                        v1[row + i] = momentum * v1[row + i] - rate * g * x[i];
                        model.w1[row + i] += v1[row + i];
                    }
                    vb1[j] = momentum * vb1[j] - rate * g;
                    model.b1[j] += vb1[j];
                }
            }
        }
        model
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn softmax(logits: &[f32; OUTPUTS]) -> [f32; OUTPUTS] {
    let top = logits.iter().copied().fold(f32::MIN, f32::max);
    let mut out = logits.map(|l| (l - top).exp());
    let sum: f32 = out.iter().sum();
    for o in &mut out {
        *o /= sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        // Two features: the symbol is 0 when the first is high, A when the
        // second is.
        let mut rng = Rng::new(3);
        let samples: Vec<(Vec<f32>, usize)> = (0..400)
            .map(|i| {
                let noise = rng.unit() * 0.2;
                if i % 2 == 0 { (vec![1.0 + noise, noise], 0) } else { (vec![noise, 1.0 + noise], 10) }
            })
            .collect();
        Model::train(&samples, 4, 20, &mut rng)
    }

    #[test]
    fn a_model_learns_and_says_how_sure_it_is() {
        let model = tiny();
        let zero = model.classify(&[1.1, 0.05]);
        let a = model.classify(&[0.05, 1.1]);
        assert!(zero[0] > 0.9, "{}", zero[0]);
        assert!(a[10] > 0.9, "{}", a[10]);
        assert!((model.outputs(&[1.1, 0.05]).iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(zero.iter().sum::<f32>() <= 1.0 + 1e-4);
    }

    #[test]
    fn a_model_survives_its_file_and_a_damaged_file_is_refused() {
        let model = tiny();
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).unwrap(), model);
        assert_eq!(Model::from_bytes(b"hello"), Err(ModelError::NotAModel));
        assert!(matches!(Model::from_bytes(&bytes[..bytes.len() - 1]), Err(ModelError::Damaged(_))));
        let mut nan = bytes.clone();
        let at = nan.len() - 4;
        nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(matches!(Model::from_bytes(&nan), Err(ModelError::Damaged(_))));
        // Any bytes after the header: an answer, never a panic.
        let mut rng = Rng::new(9);
        for _ in 0..2000 {
            let mut junk = MAGIC.to_vec();
            junk.extend((0..rng.below(64)).map(|_| rng.below(256) as u8));
            assert!(Model::from_bytes(&junk).is_err());
        }
    }
}
