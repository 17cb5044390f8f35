//! Roles from the professional standards and the permissions each holds.
//!
//! The role → permission table below is the single source of truth for what a
//! role may do; the server maps every route to exactly one [`Access`] level.

use serde::{Deserialize, Serialize};

/// A job role in the centre (a user may hold several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls, chats, letters, orders and complaints (003 A, 004).
    Operator,
    /// Experienced operator who also mentors and handles escalations (002 L4).
    SeniorOperator,
    /// Samples and evaluates contacts, runs calibration (003 B).
    QualitySpecialist,
    /// Forecasts load, computes staffing, builds schedules (003 C).
    ResourcePlanner,
    /// Team lead: watches the floor live, steers load, coaches (003 D).
    Supervisor,
    /// Head of the contact centre: targets, reports, strategy (003 E).
    HeadOfCentre,
    /// Online-shop manager: catalogue, orders, returns, sales analytics (000, 001).
    StoreManager,
    /// Manages users, roles and settings; reads the audit log.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Operator,
        Role::SeniorOperator,
        Role::QualitySpecialist,
        Role::ResourcePlanner,
        Role::Supervisor,
        Role::HeadOfCentre,
        Role::StoreManager,
        Role::Administrator,
    ];

    /// Stable identifier used in the database, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::SeniorOperator => "senior_operator",
            Role::QualitySpecialist => "quality_specialist",
            Role::ResourcePlanner => "resource_planner",
            Role::Supervisor => "supervisor",
            Role::HeadOfCentre => "head_of_centre",
            Role::StoreManager => "store_manager",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// What this role is allowed to do.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Operator => &[UseDesk, UseOrders, ViewCustomerData, EditCustomers],
            Role::SeniorOperator => {
                &[UseDesk, UseOrders, ViewCustomerData, ViewWallboard, EditCustomers, ManageCustomers, EditKnowledge]
            }
            Role::QualitySpecialist => &[UseQuality, ViewReports, ViewCustomerData, EditKnowledge],
            Role::ResourcePlanner => &[UsePlanning, ViewWallboard, ViewReports],
            Role::Supervisor => &[
                UseDesk,
                UseOrders,
                UseQuality,
                UsePlanning,
                ViewWallboard,
                ViewReports,
                ViewCustomerData,
                ManageQueues,
                EditCustomers,
                ManageCustomers,
                EditKnowledge,
                ManageOrders,
            ],
            Role::HeadOfCentre => {
                &[UseQuality, UsePlanning, ViewWallboard, ViewReports, ViewCustomerData, ViewUsers, ManageCustomers]
            }
            Role::StoreManager => {
                &[UseOrders, ManageOrders, ViewReports, ViewCustomerData, EditCustomers, ManageCustomers]
            }
            Role::Administrator => &[ViewUsers, ManageUsers, ViewAudit, ManageQueues, EditKnowledge, ManageChannels],
        }
    }
}

/// One thing a user may be allowed to do. Routes name a permission; roles grant them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// The operator desk room: contacts, customer card, scripts.
    UseDesk,
    /// The order desk room.
    UseOrders,
    /// The quality room: evaluations, calibration.
    UseQuality,
    /// The planning room: forecasts, staffing, schedules.
    UsePlanning,
    /// The live wallboard.
    ViewWallboard,
    /// Reports and analytics.
    ViewReports,
    /// Unmasked personal data of customers (every view is audited).
    ViewCustomerData,
    /// The list of users and their roles.
    ViewUsers,
    /// Create users, change roles and passwords of others.
    ManageUsers,
    /// The audit log.
    ViewAudit,
    /// Queues and who serves them.
    ManageQueues,
    /// Register customers and record their consent to personal-data processing.
    EditCustomers,
    /// Merge duplicate customers and assign their managers (004:219, 004:246).
    ManageCustomers,
    /// Write the knowledge base: articles, call scripts, reply templates (003:582, 003:660 —
    /// kept current by senior operators and supervisors; quality specialists and
    /// administrators maintain it too).
    EditKnowledge,
    /// Configure the channels: email mailboxes (servers, passwords, target queue).
    ManageChannels,
    /// Fulfil orders (pick, pack, ship, deliver, close), receivables, order
    /// settings, return decisions (001: the online-shop manager's duties).
    ManageOrders,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::UseDesk,
        Permission::UseOrders,
        Permission::UseQuality,
        Permission::UsePlanning,
        Permission::ViewWallboard,
        Permission::ViewReports,
        Permission::ViewCustomerData,
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ViewAudit,
        Permission::ManageQueues,
        Permission::EditCustomers,
        Permission::ManageCustomers,
        Permission::EditKnowledge,
        Permission::ManageChannels,
        Permission::ManageOrders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::UseDesk => "use_desk",
            Permission::UseOrders => "use_orders",
            Permission::UseQuality => "use_quality",
            Permission::UsePlanning => "use_planning",
            Permission::ViewWallboard => "view_wallboard",
            Permission::ViewReports => "view_reports",
            Permission::ViewCustomerData => "view_customer_data",
            Permission::ViewUsers => "view_users",
            Permission::ManageUsers => "manage_users",
            Permission::ViewAudit => "view_audit",
            Permission::ManageQueues => "manage_queues",
            Permission::EditCustomers => "edit_customers",
            Permission::ManageCustomers => "manage_customers",
            Permission::EditKnowledge => "edit_knowledge",
            Permission::ManageChannels => "manage_channels",
            Permission::ManageOrders => "manage_orders",
        }
    }
}

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, health, metrics, OpenAPI).
    Public,
    /// Any signed-in user, whatever their roles (profile, own account).
    SignedIn,
    /// Signed-in users holding at least one role that grants this permission.
    Requires(Permission),
}

/// True when any of `roles` grants `permission`.
pub fn roles_grant(roles: &[Role], permission: Permission) -> bool {
    roles.iter().any(|r| r.permissions().contains(&permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn every_permission_is_granted_to_someone() {
        for p in Permission::ALL {
            assert!(Role::ALL.iter().any(|r| r.permissions().contains(&p)), "{p:?} unreachable");
        }
    }

    #[test]
    fn several_roles_combine() {
        assert!(!roles_grant(&[Role::Operator], Permission::ViewWallboard));
        assert!(roles_grant(&[Role::Operator, Role::ResourcePlanner], Permission::ViewWallboard));
        assert!(!roles_grant(&[], Permission::UseDesk));
    }
}
