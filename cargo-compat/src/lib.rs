//! The operator's side of compat: fleets, the upgrade and downgrade planner, the
//! compatibility matrix and the generated guide. Services never compile this crate; the
//! `cargo compat` command line is its front end.
//!
//! Every verdict here comes from the runtime's own evaluation ([`compat_runtime::Policy::check`]
//! and [`compat_runtime::Policy::check_fleet`]); nothing in this crate evaluates a rule a
//! second way.
//!
//! Dependencies between the modules point one way:
//! `english`, [`releases`], [`fleet_file`] ← [`plan`] ← [`guide`]. The first three use no
//! other module (`english` is the wording the planner's messages and the guide share:
//! lists, capitals, counts); the planner (its waves, its verifier [`plan::replay`], its
//! output [`plan::output`]) uses them; the guide uses the planner for its worked examples.
//! [`matrix`] uses the runtime alone. Inside `plan` and `guide` the same holds; their docs
//! list their files in the order they use each other.
//!
//! ```
//! use cargo_compat::{fleet_file::Fleet, plan::{plan, Request}};
//! use compat_runtime::Policy;
//!
//! let policy = Policy::from_path("../examples/spire/compat.toml")?;
//! let fleet = Fleet::from_toml(&policy, "fleet.toml", "[counts]\n\"server@0.8.1\" = 3\n\"agent@0.8.1\" = 100\n")?;
//! let plan = plan(&policy, &fleet, &Request::to("0.9.3".parse()?))?;
//! assert_eq!(plan.steps[0].component, "server"); // servers before agents
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod english;
pub mod fleet_file;
pub mod guide;
pub mod matrix;
pub mod plan;
pub mod releases;
