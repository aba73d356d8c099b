//! Every host port a test uses comes from one table, [`BLOCKS`]: a test asks
//! for its block by name ([`block`], [`TestEnv::new`](super::TestEnv::new),
//! [`Compose::env`](super::Compose::env)) and never spells a port of its own.
//! Tests run in parallel on one host, and iris-dev's bind probe sees the whole
//! host, so two tests on one port make a flaky test; here they make
//! [`no_two_blocks_overlap`] fail instead.
//!
//! A block's first port is written down, not computed, so the ports in
//! snapshots stay the same from run to run and when blocks are added.
//!
//! **A new test registers here**: pick a free stretch (the test below names the
//! overlap if it is not free), add one line, and ask for the block by the
//! test's name. Blocks reserved for whole modules (`podman`, `reliable`, `ship`,
//! `interop`) are carved up by their modules' owners.

use super::Compose;

/// The lowest IRIS port a test may use: below it sit the defaults real
/// projects use (1972 and up).
pub const LOWEST: u16 = 10_200;

/// The highest IRIS port a test may use: its paired web port is the highest
/// there is (65535).
pub const HIGHEST: u16 = u16::MAX - WEB_OFFSET;

/// How far a project's web port is from its superserver port: 52773 - 1972.
pub const WEB_OFFSET: u16 = 50_801;

/// Where a block's ports start: once, or once per compose for the tests of
/// [`compose_matrix!`](super::compose_matrix), which run at once on one engine.
#[derive(Clone, Copy, Debug)]
enum Firsts {
    One(u16),
    PerCompose([u16; 3]),
}

/// One line of the table.
#[derive(Debug)]
struct Entry {
    /// `module::test`, or `module` for a block a whole module shares;
    /// `module::test/part` for a test's second block.
    name: &'static str,
    firsts: Firsts,
    len: u16,
}

const fn one(name: &'static str, first: u16, len: u16) -> Entry {
    Entry {
        name,
        firsts: Firsts::One(first),
        len,
    }
}

/// Three blocks: for docker-compose 1.x, compose v2 before `!override`, and
/// v2 with it, in [`Compose`]'s order.
const fn per_compose(name: &'static str, firsts: [u16; 3], len: u16) -> Entry {
    Entry {
        name,
        firsts: Firsts::PerCompose(firsts),
        len,
    }
}

/// Every block, grouped by module. Ports in snapshots depend on some of these
/// first ports: moving a block may change a snapshot.
const BLOCKS: &[Entry] = &[
    // generated.rs, completion.rs (no test there assigns a port; they share one)
    one(
        "generated::completions_command_prints_the_committed_scripts",
        10_200,
        10,
    ),
    one("completion", 10_530, 10),
    // commands.rs
    one(
        "commands::port_is_sticky_and_distinct_per_project",
        10_210,
        10,
    ),
    one(
        "commands::project_root_is_the_nearest_compose_file_upwards",
        10_220,
        10,
    ),
    one("commands::env_formats", 10_230, 10),
    one("commands::env_output_evaluates_in_a_shell", 10_240, 10),
    one("commands::ports_list_inspect_clear", 10_250, 10),
    one("commands::ports_list_inspect_clear/pin", 10_300, 1),
    one("commands::manual_pin_conflict_names_the_holder", 10_260, 10),
    one(
        "commands::a_port_taken_by_a_plain_listener_is_skipped",
        10_270,
        21,
    ),
    one(
        "commands::exhausted_range_lists_assignments_and_remedies",
        10_310,
        10,
    ),
    one("commands::bad_environment_is_a_usage_error", 10_320, 10),
    one("commands::quiet_keeps_data_and_errors", 10_330, 10),
    one(
        "commands::env_names_the_compose_project_up_would_use",
        10_340,
        10,
    ),
    one("commands::init_writes_the_template_once", 10_500, 10),
    one(
        "commands::ports_prune_removes_projects_that_are_gone",
        10_510,
        10,
    ),
    one("commands::verbose_notes_of_port", 10_520, 10),
    one(
        "commands::an_exhausted_range_suggests_a_pin_nobody_holds",
        14_062,
        2,
    ),
    one(
        "commands::an_exhausted_range_suggests_a_pin_nobody_holds/pin",
        14_066,
        2,
    ),
    // failfast.rs
    one(
        "failfast::an_expired_licence_in_a_restart_loop_is_named_with_the_image_line",
        10_350,
        10,
    ),
    one(
        "failfast::without_a_health_check_a_restart_loop_is_never_ready",
        10_360,
        10,
    ),
    one(
        "failfast::an_unknown_failure_shows_the_last_log_lines_and_the_logs_command",
        10_370,
        10,
    ),
    one(
        "failfast::a_plain_exit_names_the_cause_without_a_restart_hint",
        10_380,
        10,
    ),
    one(
        "failfast::without_a_health_check_the_proxys_accept_is_not_ready",
        10_390,
        10,
    ),
    one(
        "failfast::durable_sys_not_writable_names_the_chown_fix",
        12_220,
        10,
    ),
    // registry_file.rs
    one(
        "registry_file::bad_contents_are_reported_and_never_overwritten",
        10_400,
        10,
    ),
    one(
        "registry_file::reset_moves_a_bad_registry_aside_and_starts_fresh",
        10_410,
        10,
    ),
    one(
        "registry_file::a_newer_schema_is_read_but_never_rewritten",
        10_420,
        10,
    ),
    one("registry_file::directory_and_files_are_private", 10_430, 10),
    one(
        "registry_file::a_file_written_by_python_keeps_its_mode_until_we_rewrite_it",
        10_440,
        10,
    ),
    one(
        "registry_file::symlinks_are_refused_and_nothing_is_written_through_them",
        10_450,
        10,
    ),
    one(
        "registry_file::files_owned_by_another_user_are_refused",
        10_460,
        10,
    ),
    one(
        "registry_file::a_held_lock_is_announced_then_times_out",
        10_470,
        10,
    ),
    one(
        "registry_file::a_waiter_proceeds_when_the_lock_is_released",
        10_480,
        10,
    ),
    // Reserved for the modules of issues 20 (Podman), 21 (reliability) and 22
    // (packaging); their owners split them into tests' blocks here.
    // podman.rs (10600-10699)
    one("podman::up_status_ports_who_and_down_on_podman", 10_600, 5),
    one(
        "podman::a_container_removed_with_podman_rm_goes_stale",
        10_610,
        1,
    ),
    one("podman::two_projects_run_at_once_on_podman", 10_620, 10),
    one(
        "podman::up_waits_for_iris_where_podman_runs_no_health_check",
        10_630,
        10,
    ),
    one(
        "podman::podmans_socket_is_found_with_the_docker_socket_hidden",
        10_640,
        10,
    ),
    one(
        "podman::podman_compose_is_refused_with_what_to_use_instead",
        10_650,
        10,
    ),
    one(
        "podman::docker_compose_v1_runs_the_stack_on_podman",
        10_660,
        5,
    ),
    one(
        "podman::the_template_keeps_durable_sys_writable_on_podman",
        10_670,
        5,
    ),
    one("podman", 10_680, 20),
    // The reliability block (issue 21): 10700-10719 the soak
    // (tests/soak/main.rs, its own program, which cannot ask this table),
    // 10800-10869 tests/it/faults.rs; the rest stays reserved.
    one("soak", 10_700, 20),
    one("reliable", 10_720, 80),
    one(
        "faults::a_full_disk_keeps_the_registry_and_says_what_to_free",
        10_800,
        5,
    ),
    one(
        "faults::a_read_only_home_or_registry_still_answers_port_and_writes_name_the_path",
        10_805,
        5,
    ),
    one(
        "faults::a_new_registry_in_a_read_only_home_names_the_directory",
        10_810,
        5,
    ),
    one(
        "faults::a_write_removes_the_temp_files_of_killed_writers_only",
        10_815,
        5,
    ),
    per_compose(
        "faults::nothing_is_left_of_stacks_whose_containers_were_removed",
        [10_820, 10_840, 10_860],
        5,
    ),
    per_compose(
        "faults::a_failed_up_leaves_nothing_it_created",
        [10_825, 10_845, 10_865],
        5,
    ),
    one("reliable/rest", 10_870, 30),
    one("ship", 10_900, 100),
    // concurrency.rs, interop.rs
    one(
        "concurrency::sixty_four_processes_get_sixty_four_distinct_ports",
        11_000,
        100,
    ),
    one(
        "concurrency::killed_writers_never_corrupt_the_registry",
        11_100,
        300,
    ),
    one(
        "concurrency::concurrent_first_assignments_share_container_listings",
        11_400,
        20,
    ),
    one("interop", 11_500, 100),
    // docker.rs
    per_compose(
        "docker::two_projects_run_side_by_side_on_loopback_only",
        [12_100, 12_400, 12_700],
        10,
    ),
    per_compose(
        "docker::down_then_up_keeps_the_ports",
        [12_110, 12_410, 12_710],
        10,
    ),
    per_compose(
        "docker::removed_containers_go_stale_and_free_their_port",
        [12_120, 12_420, 12_720],
        10,
    ),
    per_compose(
        "docker::a_base_file_publishing_1972_is_replaced_or_stops_before_anything_starts",
        [12_130, 12_430, 12_730],
        10,
    ),
    one(
        "docker::an_unreachable_engine_is_named_and_changes_nothing",
        12_140,
        10,
    ),
    per_compose(
        "docker::no_compose_file_runs_the_built_in_template",
        [12_150, 12_450, 12_750],
        10,
    ),
    per_compose(
        "docker::compose_errors_pass_through",
        [12_160, 12_460, 12_760],
        10,
    ),
    per_compose(
        "docker::the_projects_own_override_file_is_kept",
        [12_170, 12_470, 12_770],
        10,
    ),
    per_compose(
        "docker::detection_names_the_compose_and_dry_run_changes_nothing",
        [12_180, 12_480, 12_780],
        10,
    ),
    one("docker::a_warm_project_notices_another_compose", 12_190, 10),
    per_compose(
        "docker::the_templates_one_shot_is_not_unhealthy_after_a_clean_exit",
        [14_070, 14_370, 14_670],
        2,
    ),
    // fake_compose.rs
    one(
        "fake_compose::compose_args_pass_through_and_a_remote_engine_is_recorded",
        12_200,
        10,
    ),
    one(
        "fake_compose::a_port_the_engine_refuses_is_replaced_by_the_next_free_one",
        12_210,
        10,
    ),
    one(
        "fake_compose::a_warm_up_starts_one_compose_process",
        12_230,
        10,
    ),
    one(
        "fake_compose::ctrl_c_during_up_is_reported_and_leaves_a_reservation",
        12_240,
        10,
    ),
    one(
        "fake_compose::no_compose_at_all_says_how_to_install_one",
        12_250,
        10,
    ),
    one(
        "fake_compose::v1_base_file_publishing_1972_stops_before_anything_starts",
        12_270,
        10,
    ),
    one(
        "fake_compose::binding_every_interface_is_warned_about",
        12_280,
        10,
    ),
    one(
        "fake_compose::a_base_file_binding_elsewhere_is_warned_about",
        12_290,
        10,
    ),
    one(
        "fake_compose::down_says_what_happened_to_the_ports",
        12_300,
        10,
    ),
    one("fake_compose::status_text", 12_310, 10),
    one(
        "fake_compose::iris_not_answering_in_time_is_not_ready",
        12_320,
        10,
    ),
    one(
        "fake_compose::ctrl_c_while_waiting_for_iris_says_it_is_still_starting",
        12_330,
        10,
    ),
    one("fake_compose::verbose_notes_of_up", 12_340, 10),
    one(
        "fake_compose::a_pinned_superserver_port_is_never_moved",
        12_350,
        10,
    ),
    one(
        "fake_compose::the_web_port_paired_with_a_pinned_port_is_never_moved",
        12_360,
        10,
    ),
    one(
        "fake_compose::a_pinned_web_port_stays_while_the_superserver_port_moves",
        12_370,
        10,
    ),
    one(
        "fake_compose::a_pinned_web_port_stays_while_the_superserver_port_moves/web",
        12_399,
        1,
    ),
    one(
        "fake_compose::both_pinned_ports_stay_and_the_error_says_which_was_refused",
        12_380,
        10,
    ),
    one(
        "fake_compose::both_pinned_ports_stay_and_the_error_says_which_was_refused/web",
        12_398,
        1,
    ),
    one(
        "fake_compose::a_refused_port_that_is_not_irises_stops_at_once_and_keeps_the_ports",
        12_390,
        8,
    ),
    one(
        "fake_compose::verbose_says_the_engine_refused_the_port_it_moved_from",
        13_660,
        10,
    ),
    one(
        "fake_compose::logs_without_colour_pass_no_color_to_compose",
        14_050,
        2,
    ),
    one(
        "fake_compose::down_all_says_which_stacks_were_running",
        14_054,
        2,
    ),
    one(
        "fake_compose::ctrl_c_while_compose_reads_the_config_is_reported_and_changes_nothing",
        14_056,
        2,
    ),
    one(
        "fake_compose::an_unwritable_project_directory_fails_at_once_naming_it",
        14_058,
        2,
    ),
    one(
        "fake_compose::a_taken_port_pinned_with_the_flag_is_named_as_the_flag",
        14_060,
        2,
    ),
    one(
        "fake_compose::the_template_is_announced_with_init",
        14_064,
        2,
    ),
    // tools.rs
    one(
        "tools::env_prints_the_urls_in_every_format_without_the_password",
        12_500,
        10,
    ),
    one(
        "tools::vscode_points_every_tool_at_the_stack_and_keeps_a_compose_block_that_finds_it",
        12_510,
        10,
    ),
    one(
        "tools::vscode_replaces_a_compose_block_and_a_server_that_miss_the_stack",
        12_520,
        10,
    ),
    one(
        "tools::vscode_keeps_the_compose_block_once_plain_compose_finds_the_checkouts_stack",
        12_530,
        10,
    ),
    // iris.rs
    one(
        "iris::up_is_ready_when_the_services_own_check_passes_not_at_the_next_interval",
        12_600,
        10,
    ),
    one(
        "iris::without_a_health_check_up_waits_for_the_port_and_says_so",
        12_610,
        10,
    ),
    one(
        "iris::a_check_that_never_passes_times_out_with_its_last_output",
        12_620,
        10,
    ),
    one(
        "iris::a_container_that_exits_during_the_wait_ends_it",
        12_630,
        10,
    ),
    one(
        "iris::the_template_keeps_durable_sys_writable_across_down_up_and_an_image_change",
        12_640,
        10,
    ),
    one(
        "iris::a_volume_over_the_installations_mgr_gets_migration_steps",
        12_650,
        10,
    ),
    one(
        "iris::iris_devtester_discovers_this_stacks_settings_from_env_and_dotenv",
        12_660,
        10,
    ),
    // isolation.rs
    per_compose(
        "isolation::an_eval_of_env_in_one_project_leaves_the_next_alone",
        [11_700, 11_710, 11_720],
        10,
    ),
    one(
        "isolation::a_compose_name_another_project_owns_is_refused_before_compose_runs",
        13_030,
        10,
    ),
    one(
        "isolation::a_running_stack_survives_a_reset_and_iris_devtesters_rewrites",
        13_060,
        10,
    ),
    one(
        "isolation::a_running_stack_survives_a_reset_and_iris_devtesters_rewrites/python",
        13_040,
        10,
    ),
    one(
        "isolation::status_env_and_doctor_say_when_the_registry_and_the_stack_disagree",
        13_070,
        10,
    ),
    one(
        "isolation::another_users_stack_of_the_same_name_is_left_alone",
        13_080,
        20,
    ),
    // owners.rs
    one(
        "owners::a_range_past_the_paired_web_ports_is_refused_at_once",
        14_733,
        2,
    ),
    one(
        "owners::port_with_an_active_assignment_makes_no_engine_connection",
        13_100,
        10,
    ),
    one(
        "owners::ports_who_names_a_listener_an_assignment_and_a_free_port",
        13_110,
        10,
    ),
    one(
        "owners::another_users_listener_is_unknown_with_the_reason",
        13_129,
        1,
    ),
    one(
        "owners::ports_who_names_a_container_and_assignment_skips_its_port",
        13_130,
        10,
    ),
    one("owners::doctor_is_ok_on_a_healthy_setup", 13_140, 10),
    one("owners::doctor_fails_naming_a_damaged_registry", 13_150, 10),
    one(
        "owners::doctor_fails_on_an_entry_iris_devtester_cannot_read",
        13_160,
        10,
    ),
    one(
        "owners::an_exhausted_range_names_the_processes_that_hold_it",
        13_170,
        10,
    ),
    one(
        "owners::a_pin_another_project_holds_names_its_assignment",
        13_180,
        10,
    ),
    one("owners::taken_port_errors_name_containers", 13_190, 2),
    one("owners::ports_who_shortens_a_long_command_line", 14_052, 2),
    // switch.rs, grace.rs
    one(
        "switch::started_with_v2_then_listed_and_stopped_with_v1",
        11_800,
        10,
    ),
    one(
        "switch::started_with_v2_then_listed_and_stopped_with_v2_legacy",
        11_810,
        10,
    ),
    one(
        "switch::started_with_v1_then_listed_and_stopped_with_v2",
        11_820,
        10,
    ),
    one(
        "switch::an_older_iris_devs_override_is_left_out_where_compose_cannot_read_it",
        11_830,
        10,
    ),
    per_compose(
        "grace::iris_stops_cleanly_without_a_grace_period_of_its_own",
        [13_370, 13_670, 13_970],
        10,
    ),
    // remote.rs
    one("remote::up_status_stale_and_down_through_ssh", 13_500, 10),
    one(
        "remote::a_wrong_key_fails_before_any_port_is_assigned",
        13_520,
        10,
    ),
    one(
        "remote::tunnel_runs_ssh_with_the_projects_ports",
        13_540,
        10,
    ),
    one(
        "remote::tcp_through_a_relay_and_a_docker_context",
        13_560,
        10,
    ),
    one(
        "remote::tunnel_forwards_to_the_stack_end_to_end",
        13_580,
        10,
    ),
    // stack_ports.rs
    per_compose(
        "stack_ports::a_port_another_stack_holds_stops_up_before_compose_runs",
        [13_600, 13_900, 14_200],
        10,
    ),
    per_compose(
        "stack_ports::isolate_all_gives_every_service_its_own_ports",
        [11_600, 11_630, 11_660],
        21,
    ),
    per_compose(
        "stack_ports::a_shared_container_name_stops_up_before_compose_runs",
        [13_640, 13_940, 14_240],
        10,
    ),
    per_compose(
        "stack_ports::an_ephemeral_iris_port_in_the_base_warns_without_override",
        [13_650, 13_950, 14_250],
        10,
    ),
    // evictions.rs
    one(
        "evictions::a_released_projects_ports_go_only_to_a_full_range_and_both_projects_are_told",
        13_620,
        3,
    ),
    one(
        "evictions::verbose_says_why_each_port_was_skipped",
        13_630,
        3,
    ),
    // hints.rs
    per_compose(
        "hints::fixed_iris_ports_are_all_named_and_their_fixes_are_clean",
        [11_730, 11_740, 11_750],
        10,
    ),
    one("hints::doctor_runs_every_check_whatever_fails", 13_836, 2),
    per_compose(
        "hints::every_interface_and_docker_picked_entries_get_the_clean_spelling",
        [13_850, 14_150, 14_450],
        10,
    ),
    per_compose(
        "hints::a_taken_foreign_port_is_fixed_by_its_hint",
        [13_870, 14_170, 14_470],
        10,
    ),
    per_compose(
        "hints::an_isolated_stack_port_is_fixed_by_its_hint",
        [13_920, 14_220, 14_520],
        20,
    ),
    // names.rs
    per_compose(
        "names::plain_compose_in_the_project_finds_the_stack",
        [14_000, 14_300, 14_600],
        10,
    ),
    per_compose(
        "names::two_checkouts_with_one_directory_name_run_at_once",
        [14_010, 14_310, 14_610],
        10,
    ),
    per_compose(
        "names::flag_variable_and_dotenv_choose_a_non_default_file",
        [14_020, 14_320, 14_620],
        10,
    ),
    per_compose(
        "names::flag_variable_and_dotenv_choose_a_non_default_file/compose_file",
        [14_040, 14_340, 14_640],
        10,
    ),
    per_compose(
        "names::a_profile_gated_service_starts_only_with_its_profile",
        [14_030, 14_330, 14_630],
        10,
    ),
    // readme.rs, everyday.rs
    one(
        "readme::the_quick_start_prints_what_the_readme_shows",
        14_080,
        10,
    ),
    one(
        "readme::the_vscode_dry_run_prints_what_the_readme_shows",
        14_090,
        2,
    ),
    per_compose(
        "everyday::everyday_commands_reach_the_projects_stack",
        [14_100, 14_400, 14_700],
        10,
    ),
    per_compose(
        "everyday::down_all_stops_every_project_on_the_engine",
        [14_110, 14_410, 14_710],
        10,
    ),
];

/// A test's own host ports: `len` ports from `first`, with their paired web
/// ports ([`WEB_OFFSET`] higher).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    name: &'static str,
    first: u16,
    len: u16,
}

impl Block {
    pub fn first(self) -> u16 {
        self.first
    }

    pub fn last(self) -> u16 {
        self.first + self.len - 1
    }

    /// The `index`th port of the block (from 0); past its end is a panic.
    #[track_caller]
    pub fn port(self, index: u16) -> u16 {
        assert!(
            index < self.len,
            "port {index} of block `{}` asked for, which has {} ({}); give it more in tests/it/support/ports.rs",
            self.name,
            self.len,
            self.range()
        );
        self.first + index
    }

    /// `len` of its ports from the `start`th, as a block of their own: for a
    /// test that gives iris-dev only some of its ports to assign and keeps
    /// the rest for a listener, a fixed host port or a pin.
    #[track_caller]
    pub fn part(self, start: u16, len: u16) -> Self {
        assert!(len > 0, "an empty part of block `{}`", self.name);
        self.port(start + len - 1);
        Self {
            name: self.name,
            first: self.first + start,
            len,
        }
    }

    /// The block as `IRIS_DEV_PORT_RANGE` spells it.
    pub fn range(self) -> String {
        format!("{}-{}", self.first, self.last())
    }

    pub fn contains(self, port: u16) -> bool {
        (self.first..=self.last()).contains(&port)
    }
}

fn entry(name: &str) -> &'static Entry {
    BLOCKS
        .iter()
        .find(|entry| entry.name == name)
        .unwrap_or_else(|| {
            panic!("no port block `{name}`: add one to BLOCKS in tests/it/support/ports.rs")
        })
}

/// The block `name` (`module::test`) of a test that runs once.
#[track_caller]
pub fn block(name: &str) -> Block {
    let entry = entry(name);
    match entry.firsts {
        Firsts::One(first) => Block {
            name: entry.name,
            first,
            len: entry.len,
        },
        Firsts::PerCompose(_) => {
            panic!(
                "port block `{name}` is per compose: ask with `Compose::block` or `Compose::env`"
            )
        }
    }
}

/// The block `name` for the run on `compose`: this compose's own block for a
/// [`compose_matrix!`](super::compose_matrix) test, the one block for a test
/// that runs on one compose only.
#[track_caller]
pub fn compose_block(name: &str, compose: Compose) -> Block {
    let entry = entry(name);
    let first = match entry.firsts {
        Firsts::PerCompose(firsts) => firsts[compose as usize],
        Firsts::One(first) => first,
    };
    Block {
        name: entry.name,
        first,
        len: entry.len,
    }
}

/// Every block of the table, each per-compose entry as its three.
fn every_block() -> Vec<Block> {
    BLOCKS
        .iter()
        .flat_map(|entry| {
            let firsts = match entry.firsts {
                Firsts::One(first) => vec![first],
                Firsts::PerCompose(firsts) => firsts.to_vec(),
            };
            firsts.into_iter().map(|first| Block {
                name: entry.name,
                first,
                len: entry.len,
            })
        })
        .collect()
}

#[test]
fn no_two_blocks_overlap() {
    // Each block's IRIS ports and its paired web ports, as (first, last, what).
    let mut spans: Vec<(u32, u32, String)> = Vec::new();
    for block in every_block() {
        let (first, last) = (u32::from(block.first), u32::from(block.last()));
        let offset = u32::from(WEB_OFFSET);
        spans.push((first, last, format!("`{}` {}", block.name, block.range())));
        spans.push((
            first + offset,
            last + offset,
            format!(
                "the web ports {}-{} of `{}`",
                first + offset,
                last + offset,
                block.name
            ),
        ));
    }
    spans.sort();
    let overlaps: Vec<String> = spans
        .windows(2)
        .filter(|pair| pair[1].0 <= pair[0].1)
        .map(|pair| format!("{} overlaps {}", pair[0].2, pair[1].2))
        .collect();
    assert!(overlaps.is_empty(), "{}", overlaps.join("\n"));
}

#[test]
fn every_block_has_ports_whose_web_ports_exist() {
    for block in every_block() {
        assert!(block.len > 0, "`{}` is empty", block.name);
        assert!(
            block.first >= LOWEST
                && u32::from(block.first) + u32::from(block.len) - 1 <= u32::from(HIGHEST),
            "`{}` ({}) is outside {LOWEST}-{HIGHEST}",
            block.name,
            block.range()
        );
    }
}

#[test]
fn every_name_is_registered_once() {
    let mut names: Vec<_> = BLOCKS.iter().map(|entry| entry.name).collect();
    names.sort_unstable();
    let twice: Vec<_> = names.windows(2).filter(|pair| pair[0] == pair[1]).collect();
    assert!(twice.is_empty(), "{twice:?}");
}

#[test]
#[should_panic(expected = "no port block `nowhere::nothing`: add one to BLOCKS")]
fn a_missing_name_is_a_panic_that_says_where_to_add_it() {
    block("nowhere::nothing");
}

#[test]
#[should_panic(expected = "port 2 of block `owners::taken_port_errors_name_containers` asked for")]
fn a_port_past_the_block_is_a_panic() {
    block("owners::taken_port_errors_name_containers").port(2);
}
