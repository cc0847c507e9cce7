//! The groups of PACE's standardized domain parameters — elliptic curves
//! (ids 8–18) and MODP groups (ids 0–2) — behind one small interface on
//! encoded elements (SEC1 uncompressed points; big-endian integers the
//! length of p) and big-endian scalars, so the protocol code does not care
//! which group it runs on. "mul" is the group's scalar multiplication
//! (exponentiation for MODP), "add" its operation (multiplication mod p).

use std::marker::PhantomData;

use num_bigint::BigUint;

use bp256::elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use bp256::elliptic_curve::{
    AffinePoint, CurveArithmetic, CurveGroup, FieldBytes, FieldBytesSize, Group, PrimeField, ProjectivePoint, Scalar,
};

/// Operations on one group.
pub trait Curve: Send + Sync {
    /// The standardized domain parameter id (BSI TR-03110 / ICAO 9303-11).
    fn parameter_id(&self) -> u8;
    /// Its name, for people.
    fn name(&self) -> &'static str;
    /// Bytes of a scalar (and of a coordinate).
    fn scalar_len(&self) -> usize;
    /// k·G, encoded; `None` for an invalid scalar.
    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>>;
    /// k·P, encoded; `None` for an invalid scalar or a point off the curve.
    fn mul(&self, point: &[u8], k: &[u8]) -> Option<Vec<u8>>;
    /// P + Q, encoded.
    fn add(&self, p: &[u8], q: &[u8]) -> Option<Vec<u8>>;
    /// Whether this is a MODP group (PACE-DH) rather than a curve.
    fn is_dh(&self) -> bool {
        false
    }
    /// The shared secret of a Diffie-Hellman result: the x-coordinate of a
    /// point, the whole element of a MODP group.
    fn shared_secret(&self, element: &[u8]) -> Vec<u8> {
        let len = (element.len().saturating_sub(1)) / 2;
        element.get(1..1 + len).unwrap_or_default().to_vec()
    }
}

struct On<C>(PhantomData<C>, u8, &'static str);

fn scalar<C>(bytes: &[u8]) -> Option<Scalar<C>>
where
    C: CurveArithmetic,
{
    let len = FieldBytes::<C>::default().len();
    if bytes.len() > len {
        return None;
    }
    let mut repr = FieldBytes::<C>::default();
    repr[len - bytes.len()..].copy_from_slice(bytes);
    Option::from(Scalar::<C>::from_repr(repr))
}

fn point<C>(bytes: &[u8]) -> Option<ProjectivePoint<C>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let affine = AffinePoint::<C>::from_sec1_bytes(bytes).ok()?;
    Some(ProjectivePoint::<C>::from(affine))
}

fn encode<C>(p: ProjectivePoint<C>) -> Option<Vec<u8>>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bool::from(p.is_identity()) {
        return None;
    }
    Some(p.to_affine().to_sec1_point(false).as_bytes().to_vec())
}

impl<C> Curve for On<C>
where
    C: CurveArithmetic + Send + Sync,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    fn parameter_id(&self) -> u8 {
        self.1
    }

    fn name(&self) -> &'static str {
        self.2
    }

    fn scalar_len(&self) -> usize {
        FieldBytes::<C>::default().len()
    }

    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(ProjectivePoint::<C>::generator() * scalar::<C>(k)?)
    }

    fn mul(&self, p: &[u8], k: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(point::<C>(p)? * scalar::<C>(k)?)
    }

    fn add(&self, p: &[u8], q: &[u8]) -> Option<Vec<u8>> {
        encode::<C>(point::<C>(p)? + point::<C>(q)?)
    }
}

/// A curve from its domain parameters alone.
struct Generic(crate::weierstrass::Domain, u8, &'static str);

impl Generic {
    fn scalar(&self, k: &[u8]) -> Option<BigUint> {
        let k = BigUint::from_bytes_be(k);
        (k != BigUint::ZERO && k < self.0.n).then_some(k)
    }
}

impl Curve for Generic {
    fn parameter_id(&self) -> u8 {
        self.1
    }

    fn name(&self) -> &'static str {
        self.2
    }

    fn scalar_len(&self) -> usize {
        self.0.field_len()
    }

    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>> {
        let d = &self.0;
        let (x, y) = d.mul_point(&d.gx, &d.gy, &self.scalar(k)?)?;
        Some(d.encode(&x, &y))
    }

    fn mul(&self, point: &[u8], k: &[u8]) -> Option<Vec<u8>> {
        let (px, py) = self.0.decode(point)?;
        let (x, y) = self.0.mul_point(&px, &py, &self.scalar(k)?)?;
        Some(self.0.encode(&x, &y))
    }

    fn add(&self, p: &[u8], q: &[u8]) -> Option<Vec<u8>> {
        let (a, b) = (self.0.decode(p)?, self.0.decode(q)?);
        let (x, y) = self.0.add_points((&a.0, &a.1), (&b.0, &b.1))?;
        Some(self.0.encode(&x, &y))
    }
}

/// A MODP group.
struct Modp(crate::modp::Group, u8, &'static str);

impl Modp {
    fn exponent(&self, k: &[u8]) -> Option<BigUint> {
        let k = BigUint::from_bytes_be(k);
        (k != BigUint::ZERO && k < self.0.q).then_some(k)
    }
}

impl Curve for Modp {
    fn parameter_id(&self) -> u8 {
        self.1
    }

    fn name(&self) -> &'static str {
        self.2
    }

    fn scalar_len(&self) -> usize {
        self.0.exponent_len()
    }

    fn mul_generator(&self, k: &[u8]) -> Option<Vec<u8>> {
        Some(self.0.encode(&self.0.pow(&self.0.g, &self.exponent(k)?)))
    }

    fn mul(&self, element: &[u8], k: &[u8]) -> Option<Vec<u8>> {
        let y = self.0.decode(element)?;
        Some(self.0.encode(&self.0.pow(&y, &self.exponent(k)?)))
    }

    fn add(&self, a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
        let product = self.0.mul(&self.0.decode(a)?, &self.0.decode(b)?);
        (product != BigUint::from(1u8)).then(|| self.0.encode(&product))
    }

    fn is_dh(&self) -> bool {
        true
    }

    fn shared_secret(&self, element: &[u8]) -> Vec<u8> {
        element.to_vec()
    }
}

/// The group of a standardized domain parameter id, where served: all of
/// ICAO 9303-11's table but the reserved ids 3–7.
pub fn by_parameter_id(id: u8) -> Option<Box<dyn Curve>> {
    use crate::{modp, weierstrass as w};
    Some(match id {
        0 => Box::new(Modp(modp::rfc5114_1024_160(), 0, "1024-bit MODP, 160-bit subgroup")),
        1 => Box::new(Modp(modp::rfc5114_2048_224(), 1, "2048-bit MODP, 224-bit subgroup")),
        2 => Box::new(Modp(modp::rfc5114_2048_256(), 2, "2048-bit MODP, 256-bit subgroup")),
        8 => Box::new(Generic(w::nist_p192(), 8, "NIST P-192")),
        9 => Box::new(Generic(w::brainpool_p192r1(), 9, "brainpoolP192r1")),
        10 => Box::new(Generic(w::nist_p224(), 10, "NIST P-224")),
        11 => Box::new(Generic(w::brainpool_p224r1(), 11, "brainpoolP224r1")),
        14 => Box::new(Generic(w::brainpool_p320r1(), 14, "brainpoolP320r1")),
        17 => Box::new(Generic(w::brainpool_p512r1(), 17, "brainpoolP512r1")),
        12 => Box::new(On::<p256::NistP256>(PhantomData, 12, "NIST P-256")),
        13 => Box::new(On::<bp256::r1::BrainpoolP256r1>(PhantomData, 13, "brainpoolP256r1")),
        15 => Box::new(On::<p384::NistP384>(PhantomData, 15, "NIST P-384")),
        16 => Box::new(On::<bp384::r1::BrainpoolP384r1>(PhantomData, 16, "brainpoolP384r1")),
        18 => Box::new(On::<p521::NistP521>(PhantomData, 18, "NIST P-521")),
        _ => return None,
    })
}

/// Every served parameter id.
pub const SERVED: [u8; 14] = [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

/// A private key for `curve` from random bytes: cut to the scalar's size
/// with the top bits cleared, so it is below the group order (every served
/// order has its top bit set in its byte length; P-521's 66th byte is 0–1).
pub fn private_key(curve: &dyn Curve, random: &[u8]) -> Vec<u8> {
    let len = curve.scalar_len();
    let mut k: Vec<u8> = random.iter().copied().chain(std::iter::repeat(0x5A)).take(len).collect();
    k[0] &= if len == 66 { 0x00 } else { 0x7F };
    if k.iter().all(|b| *b == 0) {
        k[len - 1] = 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffie_hellman_agrees_on_every_served_curve() {
        for id in SERVED {
            let curve = by_parameter_id(id).unwrap();
            let a = private_key(&*curve, &[0x11; 66]);
            let b = private_key(&*curve, &[0x22; 66]);
            let (pa, pb) = (curve.mul_generator(&a).unwrap(), curve.mul_generator(&b).unwrap());
            if !curve.is_dh() {
                assert_eq!(pa.len(), 1 + 2 * curve.scalar_len(), "{}", curve.name());
            }
            assert_eq!(curve.mul(&pb, &a), curve.mul(&pa, &b), "{}", curve.name());
            // (a+b)·G = a·G + b·G, through the encodings.
            let sum = curve.add(&pa, &pb).unwrap();
            assert_ne!(sum, pa);
            // A point off the curve is refused.
            let mut bad = pa.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(curve.mul(&bad, &a).is_none(), "{}", curve.name());
        }
        for id in (3..=7).chain(19..=31) {
            assert!(by_parameter_id(id).is_none(), "{id}");
        }
    }
}
